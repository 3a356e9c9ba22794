package protocols

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"sync"
)

// Protocol turns a byte stream into packages and values into bytes. The loop
// calls Input on the bytes received so far: it returns the length of the first
// whole package, 0 when more bytes are needed, or an error for input that can
// never become a package (the connection is then closed; Input may answer the
// peer first with Conn.End). Decode turns one package into what OnMessage
// gets, or nil for a package that carries nothing for the application (a
// handshake, a control frame): OnMessage then does not run. Encode appends
// the wire form of what Send got to dst.
//
// A protocol is shared by every connection that uses it; keep per-connection
// state with Conn.SetProtocolState.
type Protocol interface {
	Input(buf []byte, c Conn) (int, error)
	Decode(pkg []byte, c Conn) (any, error)
	Encode(dst []byte, v any, c Conn) ([]byte, error)
}

// ErrUnknownScheme is returned by Lookup's callers for a scheme with no protocol.
var ErrUnknownScheme = errors.New("protocols: unknown scheme")

var validScheme = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9]*$`)

var (
	mu       sync.RWMutex
	registry = map[string]Protocol{}
)

// Register makes p the protocol of scheme, so that worker.New("scheme://...")
// finds it. A later Register of the same scheme replaces the earlier one.
func Register(scheme string, p Protocol) error {
	if !validScheme.MatchString(scheme) {
		return fmt.Errorf("protocols: invalid protocol scheme %q", scheme)
	}
	if p == nil {
		return fmt.Errorf("protocols: nil protocol for scheme %q", scheme)
	}
	mu.Lock()
	registry[scheme] = p
	mu.Unlock()
	return nil
}

// Lookup returns the protocol registered for scheme.
func Lookup(scheme string) (Protocol, bool) {
	mu.RLock()
	p, ok := registry[scheme]
	mu.RUnlock()
	return p, ok
}

// Schemes lists the registered schemes in order.
func Schemes() []string {
	mu.RLock()
	defer mu.RUnlock()
	s := make([]string, 0, len(registry))
	for k := range registry {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

// Name is a protocol's name for tables and logs: its Name method if it has
// one, else the scheme it is registered under.
func Name(p Protocol) string {
	if n, ok := p.(interface{ Name() string }); ok {
		return n.Name()
	}
	mu.RLock()
	defer mu.RUnlock()
	for k, v := range registry {
		if v == p {
			return k
		}
	}
	return fmt.Sprintf("%T", p)
}

// AppendBytes appends v when it is a string or []byte; the helper every
// byte-oriented Encode starts from.
func AppendBytes(dst []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case string:
		return append(dst, x...), nil
	case []byte:
		return append(dst, x...), nil
	case fmt.Stringer:
		return append(dst, x.String()...), nil
	case nil:
		return dst, nil
	}
	return dst, fmt.Errorf("protocols: cannot encode %T", v)
}
