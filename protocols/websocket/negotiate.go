package websocket

import (
	"fmt"
	"strconv"
	"strings"
)

// DefaultCompressThreshold is the size under which a message goes
// uncompressed: below it DEFLATE saves a few bytes at best and costs more
// CPU than the bytes are worth.
const DefaultCompressThreshold = 256

// Compression is the permessage-deflate setting (RFC 7692) of a Protocol or
// a Client. The zero value compresses messages of DefaultCompressThreshold
// bytes or more whenever the peer agrees, and keeps no compression context
// between messages, so that an idle connection holds no flate state.
type Compression struct {
	// Disable neither offers nor accepts compression.
	Disable bool
	// Threshold is the size in bytes under which a message is sent
	// uncompressed (DefaultCompressThreshold when 0; negative: compress all).
	Threshold int
	// ContextTakeover keeps each side's LZ77 window from one message to the
	// next, which shrinks small similar messages much more, at the cost of a
	// compressor of its own per connection (about 1.2 MB) and the peer's last
	// window (32 KiB). Off, each message is compressed alone with pooled
	// compressors, and the peer is asked to do the same.
	ContextTakeover bool
}

const extensionName = "permessage-deflate"

func (cz *Compression) threshold() int {
	switch {
	case cz.Threshold < 0:
		return 0
	case cz.Threshold == 0:
		return DefaultCompressThreshold
	}
	return cz.Threshold
}

// param is an extension parameter; value is "" when it has none.
type param struct{ name, value string }

// parseExtensions splits a Sec-WebSocket-Extensions value (RFC 6455 section
// 9.1) into its extensions, each its name and its parameters, with quoted
// values unquoted. Elements with no name are left out.
func parseExtensions(v string) [][]param {
	var list [][]param
	for _, ext := range splitQuoted(v, ',') {
		var ps []param
		for i, p := range splitQuoted(ext, ';') {
			name, value, _ := strings.Cut(p, "=")
			name, value = strings.TrimSpace(name), strings.TrimSpace(value)
			if u, err := strconv.Unquote(value); err == nil && strings.HasPrefix(value, `"`) {
				value = u
			}
			if i == 0 && name == "" {
				break
			}
			ps = append(ps, param{strings.ToLower(name), value})
		}
		if len(ps) > 0 {
			list = append(list, ps)
		}
	}
	return list
}

// splitQuoted splits s at sep outside double quotes.
func splitQuoted(s string, sep byte) []string {
	var parts []string
	quoted, start := false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			quoted = !quoted
		case c == '\\' && quoted:
			i++
		case c == sep && !quoted:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// windowBits reads a max_window_bits value: 8 to 15, written plainly.
func windowBits(v string) (int, bool) {
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 8 && n <= 15 && v == strconv.Itoa(n)
}

// accept picks the first permessage-deflate offer of a client's
// Sec-WebSocket-Extensions that the server can honour. It returns the
// element for the 101 and the connection's state, or "" and nil.
func (cz *Compression) accept(offers string) (string, *deflate) {
	if cz.Disable || offers == "" {
		return "", nil
	}
	for _, ext := range parseExtensions(offers) {
		if ext[0].name != extensionName {
			continue
		}
		if resp, z := cz.acceptOffer(ext[1:]); z != nil {
			return resp, z
		}
	}
	return "", nil
}

// acceptOffer applies RFC 7692 section 7.1 to one offer's parameters: an
// unknown, repeated or malformed one declines it, and so does a
// server_max_window_bits under 15, since Go's compressor only writes with a
// 32 KiB window. A client_max_window_bits is left unanswered: the inflater
// takes any window. Without ContextTakeover the server keeps no context and
// asks the client to keep none, which section 7.1.1.2 lets it ask.
func (cz *Compression) acceptOffer(params []param) (string, *deflate) {
	serverNoContext, clientNoContext := !cz.ContextTakeover, !cz.ContextTakeover
	windowAsked := false
	seen := map[string]bool{}
	for _, p := range params {
		if seen[p.name] {
			return "", nil
		}
		seen[p.name] = true
		switch p.name {
		case "server_no_context_takeover", "client_no_context_takeover":
			if p.value != "" {
				return "", nil
			}
			if p.name[0] == 's' {
				serverNoContext = true
			} else {
				clientNoContext = true
			}
		case "server_max_window_bits":
			if n, ok := windowBits(p.value); !ok || n < 15 {
				return "", nil
			}
			windowAsked = true
		case "client_max_window_bits":
			if _, ok := windowBits(p.value); p.value != "" && !ok {
				return "", nil
			}
		default:
			return "", nil
		}
	}
	resp := extensionName
	if serverNoContext {
		resp += "; server_no_context_takeover"
	}
	if clientNoContext {
		resp += "; client_no_context_takeover"
	}
	if windowAsked {
		resp += "; server_max_window_bits=15"
	}
	return resp, &deflate{threshold: cz.threshold(), keepWrite: !serverNoContext, keepRead: !clientNoContext}
}

// offer is a client's Sec-WebSocket-Extensions. Without ContextTakeover it
// first asks that neither side keep context, then, for a server that cannot
// promise that, only that the client keeps none. client_max_window_bits is
// never offered: the compressor cannot write with a smaller window.
func (cz *Compression) offer() string {
	switch {
	case cz.Disable:
		return ""
	case cz.ContextTakeover:
		return extensionName
	}
	return extensionName + "; server_no_context_takeover; client_no_context_takeover, " +
		extensionName + "; client_no_context_takeover"
}

// accepted applies RFC 7692 section 7.1 to the server's answer to offer: nil
// when it declined, an error when it answered with what was not offered.
func (cz *Compression) accepted(answer string) (*deflate, error) {
	exts := parseExtensions(answer)
	switch {
	case len(exts) == 0:
		return nil, nil
	case cz.Disable || len(exts) > 1 || exts[0][0].name != extensionName:
		return nil, fmt.Errorf("websocket: server answered with extensions %q, which were not offered", answer)
	}
	serverNoContext, clientNoContext := false, !cz.ContextTakeover
	seen := map[string]bool{}
	for _, p := range exts[0][1:] {
		bad := seen[p.name]
		seen[p.name] = true
		switch p.name {
		case "server_no_context_takeover":
			serverNoContext = true
			bad = bad || p.value != ""
		case "client_no_context_takeover":
			clientNoContext = true
			bad = bad || p.value != ""
		case "server_max_window_bits":
			_, ok := windowBits(p.value)
			bad = bad || !ok
		default: // client_max_window_bits included: it was not offered
			bad = true
		}
		if bad {
			return nil, fmt.Errorf("websocket: server answered permessage-deflate with %q", answer)
		}
	}
	return &deflate{threshold: cz.threshold(), keepWrite: !clientNoContext, keepRead: !serverNoContext}, nil
}
