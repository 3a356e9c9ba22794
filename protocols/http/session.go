package http

import (
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"maps"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// SessionHandler stores session data by session id. The default stores files
// (FileSessionHandler); another store (Redis, a database) implements these
// seven methods. They run on the event loop, so they should be quick.
type SessionHandler interface {
	// Open prepares the store once, before its first use.
	Open(savePath, name string) error
	// Close releases the store.
	Close() error
	// Read returns a session's data, nil when it has none or it expired.
	Read(id string) ([]byte, error)
	// Write stores a session's data.
	Write(id string, data []byte) error
	// Destroy removes a session.
	Destroy(id string) error
	// GC removes sessions untouched for longer than maxLifetime.
	GC(maxLifetime time.Duration) error
	// UpdateTimestamp marks a session as used without changing its data.
	UpdateTimestamp(id string, data []byte) error
}

// SessionConfig says how sessions are named, kept and sent to the browser.
// Make one with NewSessionConfig and change what you need.
type SessionConfig struct {
	// Name is the session cookie's name.
	Name string
	// Lifetime is how long unused session data lives.
	Lifetime time.Duration
	// CookieLifetime is the cookie's Max-Age; zero makes a cookie that ends
	// with the browser session.
	CookieLifetime time.Duration
	CookiePath     string
	Domain         string
	Secure         bool
	HTTPOnly       bool
	SameSite       string
	// AutoUpdateTimestamp refreshes an unchanged session's timestamp at the
	// end of each request that used it, so that it does not expire while used.
	AutoUpdateTimestamp bool
	// GC runs after a save with probability GCProbability/GCDivisor.
	GCProbability, GCDivisor int
	// SavePath is given to Handler.Open (the file handler's directory).
	SavePath string
	// Handler stores the data; nil means a FileSessionHandler.
	Handler SessionHandler

	once    sync.Once
	openErr error
}

// NewSessionConfig returns Workerman's defaults: cookie PHPSID, 1440 s
// lifetimes, path "/", HttpOnly, GC on 1 save in 20000, files in the
// system's temporary directory.
func NewSessionConfig() *SessionConfig {
	return &SessionConfig{
		Name:           "PHPSID",
		Lifetime:       1440 * time.Second,
		CookieLifetime: 1440 * time.Second,
		CookiePath:     "/",
		HTTPOnly:       true,
		GCProbability:  1,
		GCDivisor:      20000,
	}
}

// DefaultSessionConfig serves protocols whose Session field is nil.
var DefaultSessionConfig = NewSessionConfig()

func (p *Protocol) sessionConfig() *SessionConfig {
	if p.Session != nil {
		return p.Session
	}
	return DefaultSessionConfig
}

// handler opens the store on first use.
func (cfg *SessionConfig) handler() (SessionHandler, error) {
	cfg.once.Do(func() {
		if cfg.Handler == nil {
			cfg.Handler = &FileSessionHandler{Lifetime: cfg.Lifetime}
		}
		cfg.openErr = cfg.Handler.Open(cfg.SavePath, cfg.Name)
	})
	return cfg.Handler, cfg.openErr
}

// cookie is the Set-Cookie line that gives the browser a session id.
func (cfg *SessionConfig) cookie(id string) string {
	var b strings.Builder
	b.WriteString("Set-Cookie: ")
	b.WriteString(cfg.Name)
	b.WriteByte('=')
	b.WriteString(id)
	if cfg.Domain != "" {
		b.WriteString("; Domain=" + cfg.Domain)
	}
	if cfg.CookieLifetime > 0 {
		b.WriteString("; Max-Age=" + strconv.FormatInt(int64(cfg.CookieLifetime/time.Second), 10))
	}
	if cfg.CookiePath != "" {
		b.WriteString("; Path=" + cfg.CookiePath)
	}
	if cfg.SameSite != "" {
		b.WriteString("; SameSite=" + cfg.SameSite)
	}
	if cfg.Secure {
		b.WriteString("; Secure")
	}
	if cfg.HTTPOnly {
		b.WriteString("; HttpOnly")
	}
	return b.String()
}

var validSessionID = regexp.MustCompile(`^[a-zA-Z0-9,-]{16,256}$`)

// ValidSessionID reports whether id may name a session: 16 to 256 letters,
// digits, commas and dashes, so that it is safe in file names and keys.
func ValidSessionID(id string) bool { return validSessionID.MatchString(id) }

// NewSessionID returns a fresh random session id.
func NewSessionID() string { return hex.EncodeToString(randomBytes(16)) }

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = crand.Read(b) // crypto/rand.Read never fails
	return b
}

// Session is the data a browser's session cookie points at. Values are kept
// as JSON between requests: numbers come back as float64, objects as
// map[string]any. Changes are saved when the request ends. Loop-only.
type Session struct {
	id    string
	cfg   *SessionConfig
	data  map[string]any
	dirty bool
}

// Session returns the request's session, reading it on first use. A request
// without a valid session cookie gets a new session, and the next response on
// the connection carries its cookie.
func (r *Request) Session() *Session {
	if r.session != nil {
		return r.session
	}
	cfg := r.st.p.sessionConfig()
	id := strings.Trim(r.Cookie(cfg.Name), `"`)
	s := &Session{id: id, cfg: cfg, data: map[string]any{}}
	if !ValidSessionID(id) {
		s.id = NewSessionID()
		r.st.extra = append(r.st.extra, cfg.cookie(s.id))
	} else {
		s.load()
	}
	r.session = s
	r.finishLater()
	return s
}

func (s *Session) load() {
	h, err := s.cfg.handler()
	if err != nil {
		slog.Error("workerman: opening the session store", "err", err)
		return
	}
	b, err := h.Read(s.id)
	if err != nil {
		slog.Error("workerman: reading a session", "err", err)
		return
	}
	if len(b) > 0 && json.Unmarshal(b, &s.data) != nil {
		s.data = map[string]any{}
	}
}

// ID is the session id.
func (s *Session) ID() string { return s.id }

// Get returns a value, nil when it is not set.
func (s *Session) Get(name string) any { return s.data[name] }

// Set stores a value.
func (s *Session) Set(name string, v any) { s.data[name] = v; s.dirty = true }

// Delete removes a value.
func (s *Session) Delete(name string) {
	if _, ok := s.data[name]; ok {
		delete(s.data, name)
		s.dirty = true
	}
}

// Pull returns a value and removes it.
func (s *Session) Pull(name string) any {
	v := s.data[name]
	s.Delete(name)
	return v
}

// Has reports whether a value is set (and not nil).
func (s *Session) Has(name string) bool { return s.data[name] != nil }

// All returns a copy of every value.
func (s *Session) All() map[string]any { return maps.Clone(s.data) }

// Flush removes every value; the session is destroyed when it is saved.
func (s *Session) Flush() {
	if len(s.data) > 0 {
		clear(s.data)
		s.dirty = true
	}
}

// Save writes changed data now rather than at the end of the request.
func (s *Session) Save() error {
	h, err := s.cfg.handler()
	if err != nil {
		return err
	}
	switch {
	case s.dirty && len(s.data) == 0:
		err = h.Destroy(s.id)
	case s.dirty:
		var b []byte
		if b, err = json.Marshal(s.data); err == nil {
			err = h.Write(s.id, b)
		}
	case s.cfg.AutoUpdateTimestamp:
		err = h.UpdateTimestamp(s.id, nil)
	default:
		return nil
	}
	s.dirty = false
	if s.cfg.GCDivisor > 0 && rand.IntN(s.cfg.GCDivisor) < s.cfg.GCProbability {
		if gerr := h.GC(s.cfg.Lifetime); gerr != nil {
			slog.Warn("workerman: session gc", "err", gerr)
		}
	}
	return err
}

func (r *Request) saveSession() {
	if s := r.session; s != nil && (s.dirty || s.cfg.AutoUpdateTimestamp) {
		if err := s.Save(); err != nil {
			slog.Error("workerman: saving a session", "err", err)
		}
	}
}
