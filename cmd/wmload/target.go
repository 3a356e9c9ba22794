package main

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
)

// A target is where a run sends its load. It is always a loopback address:
// wmload is a tool for measuring servers on the machine it runs on, and a
// mistyped address must not turn it on someone else's host.
type target struct {
	addr string // host:port to dial
	host string // Host header
	path string // request target, "/" at least
	tls  bool   // an https URL
}

// parseTarget reads "http://127.0.0.1:8080/path", for the handshake mode
// "https://127.0.0.1:8443/path", and for the echo mode "127.0.0.1:5678" and
// "text://127.0.0.1:5678".
func parseTarget(raw string) (target, error) {
	hostport, path, tls := raw, "/", false
	if strings.Contains(raw, "://") {
		u, err := url.Parse(raw)
		if err != nil {
			return target{}, fmt.Errorf("target %q: %w", raw, err)
		}
		switch u.Scheme {
		case "http", "https", "text", "tcp":
		default:
			return target{}, fmt.Errorf("target %q: scheme %q is not http, https, text or tcp", raw, u.Scheme)
		}
		hostport, tls = u.Host, u.Scheme == "https"
		if u.Port() == "" && u.Scheme == "http" {
			hostport = net.JoinHostPort(u.Hostname(), "80")
		} else if u.Port() == "" && tls {
			hostport = net.JoinHostPort(u.Hostname(), "443")
		}
		if u.RequestURI() != "" {
			path = u.RequestURI()
		}
	}
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return target{}, fmt.Errorf("target %q: %w", raw, err)
	}
	ip, err := loopbackIP(host)
	if err != nil {
		return target{}, fmt.Errorf("target %q: %w", raw, err)
	}
	return target{addr: net.JoinHostPort(ip, port), host: hostport, path: path, tls: tls}, nil
}

// loopbackIP accepts an address in 127.0.0.0/8, ::1, or the name
// localhost (dialled as 127.0.0.1); no other name is resolved.
func loopbackIP(host string) (string, error) {
	if strings.EqualFold(host, "localhost") {
		return "127.0.0.1", nil
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || ip.Zone() != "" {
		return "", fmt.Errorf("host %q is not an IP address or localhost: wmload only loads 127.0.0.0/8 and ::1", host)
	}
	if !ip.Unmap().IsLoopback() {
		return "", fmt.Errorf("address %s is not loopback: wmload only loads 127.0.0.0/8 and ::1", ip)
	}
	return ip.Unmap().String(), nil
}
