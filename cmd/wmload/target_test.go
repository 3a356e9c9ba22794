package main

import (
	"strings"
	"testing"
)

func TestParseTarget(t *testing.T) {
	accepted := []struct {
		name, raw, addr, path string
	}{
		{"an IPv4 loopback URL keeps its path and query", "http://127.0.0.1:8080/a/b?x=1", "127.0.0.1:8080", "/a/b?x=1"},
		{"any address in 127.0.0.0/8 is loopback", "http://127.3.2.1:81", "127.3.2.1:81", "/"},
		{"an http URL without a port means port 80", "http://127.0.0.1/", "127.0.0.1:80", "/"},
		{"IPv6 loopback is accepted", "http://[::1]:8080/", "[::1]:8080", "/"},
		{"localhost is dialled as 127.0.0.1", "http://localhost:8080/", "127.0.0.1:8080", "/"},
		{"an IPv4-mapped loopback is unmapped", "http://[::ffff:127.0.0.1]:9/", "127.0.0.1:9", "/"},
		{"a bare host:port is an echo target", "127.0.0.1:5678", "127.0.0.1:5678", "/"},
		{"a text URL is an echo target", "text://127.0.0.1:5678", "127.0.0.1:5678", "/"},
		{"an https URL without a port means port 443", "https://127.0.0.1/h", "127.0.0.1:443", "/h"},
	}
	for _, tc := range accepted {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseTarget(tc.raw)
			if err != nil {
				t.Fatalf("parseTarget(%q): %v", tc.raw, err)
			}
			if got.addr != tc.addr || got.path != tc.path {
				t.Fatalf("parseTarget(%q) = addr %q path %q, want %q %q", tc.raw, got.addr, got.path, tc.addr, tc.path)
			}
		})
	}
	refused := []struct {
		name, raw, why string
	}{
		{"a private address is refused", "http://10.0.0.1:80/", "not loopback"},
		{"the unspecified address is refused", "http://0.0.0.0:80/", "not loopback"},
		{"the IPv6 unspecified address is refused", "http://[::]:80/", "not loopback"},
		{"a public name is refused without being resolved", "http://example.com/", "not an IP address"},
		{"a zoned link-local address is refused", "http://[fe80::1%25lo]:80/", "not an IP address"},
		{"a ws URL is refused", "ws://127.0.0.1:80/", "scheme"},
		{"an address without a port is refused", "127.0.0.1", "missing port"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseTarget(tc.raw)
			if err == nil || !strings.Contains(err.Error(), tc.why) {
				t.Fatalf("parseTarget(%q) error = %v, want one saying %q", tc.raw, err, tc.why)
			}
		})
	}
}
