package cluster

import (
	"errors"
	"fmt"
	"strings"
)

// Limits of the names that become parts of NATS subjects.
const (
	// MaxNameLength bounds a uid, a group name or one subject token, in bytes.
	MaxNameLength = 128
	// MaxSubjectLength bounds a whole Layer 1 subject, in bytes.
	MaxSubjectLength = 256
)

// ErrBadName is wrapped by every error about a subject, uid or group name
// that cannot be used.
var ErrBadName = errors.New("cluster: bad name")

// checkToken accepts a name that can stand as one subject token: non-empty,
// at most MaxNameLength bytes, and free of the characters NATS gives a
// meaning to (the token separator '.', the wildcards '*' and '>') and of
// whitespace and control characters, which NATS cannot carry in a subject.
// what names the kind of name for the error.
func checkToken(what, s string) error {
	switch {
	case s == "":
		return fmt.Errorf("%w: empty %s", ErrBadName, what)
	case len(s) > MaxNameLength:
		return fmt.Errorf("%w: %s of %d bytes exceeds %d", ErrBadName, what, len(s), MaxNameLength)
	}
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b == '.' || b == '*' || b == '>':
			return fmt.Errorf("%w: %s %q holds %q", ErrBadName, what, s, b)
		case b <= ' ' || b == 0x7f:
			return fmt.Errorf("%w: %s %q holds whitespace or a control character", ErrBadName, what, s)
		}
	}
	return nil
}

// checkSubject accepts a Layer 1 subject: tokens separated by single dots,
// each a valid token, at most MaxSubjectLength bytes in all. Wildcards are
// refused, so a subscription never covers more than the subject asked for.
func checkSubject(s string) error {
	if len(s) > MaxSubjectLength {
		return fmt.Errorf("%w: subject of %d bytes exceeds %d", ErrBadName, len(s), MaxSubjectLength)
	}
	if s == "" {
		return fmt.Errorf("%w: empty subject", ErrBadName)
	}
	for tok := range strings.SplitSeq(s, ".") {
		if tok == "" {
			return fmt.Errorf("%w: subject %q has an empty token", ErrBadName, s)
		}
		if err := checkToken("subject token", tok); err != nil {
			return err
		}
	}
	return nil
}
