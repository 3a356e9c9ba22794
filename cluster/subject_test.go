package cluster

import (
	"errors"
	"strings"
	"testing"
)

func TestNamesThatCannotBeSubjectTokensAreRefused(t *testing.T) {
	for _, tc := range []struct{ name, s string }{
		{"empty", ""},
		{"a dot would make two tokens", "a.b"},
		{"a star is a wildcard", "a*"},
		{"a greater-than is a wildcard", ">"},
		{"a space", "bob smith"},
		{"a tab", "bob\tsmith"},
		{"a newline", "bob\n"},
		{"a NUL", "bob\x00"},
		{"a DEL", "bob\x7f"},
		{"longer than the bound", strings.Repeat("x", MaxNameLength+1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkToken("uid", tc.s)
			if !errors.Is(err, ErrBadName) {
				t.Fatalf("checkToken(%q) = %v, want ErrBadName", tc.s, err)
			}
		})
	}
	for _, s := range []string{"alice", "user-42", "Ünïcödé", strings.Repeat("x", MaxNameLength)} {
		if err := checkToken("uid", s); err != nil {
			t.Errorf("checkToken(%q) = %v, want nil", s, err)
		}
	}
}

func TestSubjectsAreDottedTokensWithoutWildcards(t *testing.T) {
	for _, s := range []string{"", ".", "a.", ".a", "a..b", "a.*", "a.>", "a b", strings.Repeat("a.", MaxSubjectLength/2) + "a"} {
		if err := checkSubject(s); !errors.Is(err, ErrBadName) {
			t.Errorf("checkSubject(%q) = %v, want ErrBadName", s, err)
		}
	}
	for _, s := range []string{"news", "news.sport", "a.b.c.d"} {
		if err := checkSubject(s); err != nil {
			t.Errorf("checkSubject(%q) = %v, want nil", s, err)
		}
	}
}

func TestClientIDsRoundTripAndBadOnesAreRefused(t *testing.T) {
	id := nodeName(0xabc) + "-42"
	r, err := parseClientID(id)
	if err != nil || r != (clientRef{0xabc, 42}) {
		t.Fatalf("parseClientID(%q) = %v, %v", id, r, err)
	}
	for _, s := range []string{"", "-", "abc-1", nodeName(1) + "-0", nodeName(1) + "-x", "000000000000000g-1", nodeName(0) + "-1", strings.Repeat("f", 1000)} {
		if _, err := parseClientID(s); !errors.Is(err, ErrBadClientID) {
			t.Errorf("parseClientID(%q) = %v, want ErrBadClientID", s, err)
		}
	}
}
