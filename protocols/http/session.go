package http

import (
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ErrInvalidSessionID is returned for a session id that fails
// ValidSessionID; no store is asked about it.
var ErrInvalidSessionID = errors.New("http: invalid session id")

// SessionHandler stores session data by session id. The default stores files
// (FileSessionHandler); another store (Redis, a database) implements these
// seven methods. Every method but GC runs on the event loop, which waits for
// it: each call must end soon (a store across the network bounds every call
// with a short timeout). GC runs on a goroutine of its own, at the same time
// as the others, so a handler must be safe for concurrent use.
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
	// GC runs after a save with probability GCProbability/GCDivisor, on a
	// goroutine of its own; a zero GCDivisor turns it off (call GC from a
	// timer instead).
	GCProbability, GCDivisor int
	// SavePath is given to Handler.Open (the file handler's directory).
	SavePath string
	// Handler stores the data; nil means a FileSessionHandler.
	Handler SessionHandler

	once      sync.Once
	openErr   error
	gcRunning atomic.Bool
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

// GC removes the sessions unused for longer than Lifetime now, on the
// calling goroutine: the way to collect on a schedule rather than by chance,
// e.g. from a timer that starts it on a goroutine of its own.
func (cfg *SessionConfig) GC() error {
	h, err := cfg.handler()
	if err != nil {
		return err
	}
	return h.GC(cfg.Lifetime)
}

// maybeGC starts a collection with probability GCProbability/GCDivisor,
// unless one is running.
func (cfg *SessionConfig) maybeGC() {
	if cfg.GCDivisor <= 0 || rand.IntN(cfg.GCDivisor) >= cfg.GCProbability {
		return
	}
	if !cfg.gcRunning.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer cfg.gcRunning.Store(false)
		if err := cfg.GC(); err != nil {
			slog.Warn("workerman: session gc", "err", err)
		}
	}()
}

// cookiePrefix starts the Set-Cookie line of this config's session cookie.
func (cfg *SessionConfig) cookiePrefix() string { return "Set-Cookie: " + cfg.Name + "=" }

// cookie is the Set-Cookie line that gives the browser a session id.
func (cfg *SessionConfig) cookie(id string) string {
	var b strings.Builder
	b.WriteString(cfg.cookiePrefix())
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
	err   error // the read or a save failed: the session is not saved again
}

// Session returns the request's session, reading it on first use. A request
// without a valid session cookie gets a new session, and the next response on
// the connection carries its cookie. When the store could not be read, the
// session is empty and Err says why.
func (r *Request) Session() *Session {
	if r.session != nil {
		return r.session
	}
	cfg := r.st.p.sessionConfig()
	id := strings.Trim(r.Cookie(cfg.Name), `"`)
	if !ValidSessionID(id) {
		id = NewSessionID()
		r.setSessionCookie(cfg, id)
		r.session = &Session{id: id, cfg: cfg, data: map[string]any{}}
	} else {
		r.session = loadSession(cfg, id)
	}
	r.finishLater()
	return r.session
}

// SessionID is the id of the request's session, read or made as Session does.
func (r *Request) SessionID() string { return r.Session().ID() }

// SetSessionID makes the session named id the request's session, as
// Workerman's sessionId($sid) does: the session in use is saved first (unless
// its store failed), the named one is read, and the next response gives the browser its cookie. An id
// that fails ValidSessionID is refused with ErrInvalidSessionID.
func (r *Request) SetSessionID(id string) error {
	if !ValidSessionID(id) {
		return ErrInvalidSessionID
	}
	if r.session != nil {
		if r.session.id == id {
			return nil
		}
		if r.session.err == nil { // else there is nothing it may save
			if err := r.session.Save(); err != nil {
				return err
			}
		}
	}
	cfg := r.st.p.sessionConfig()
	r.session = loadSession(cfg, id)
	r.setSessionCookie(cfg, id)
	r.finishLater()
	return r.session.err
}

// SessionRegenerateID moves the session's data to a fresh id, destroys the
// old id at once and gives the browser the new cookie with the next
// response: call it when a user logs in, so that an id planted in the
// browser beforehand (session fixation) names nothing afterwards. Unlike
// Workerman's, the old session is always destroyed. On an error the session
// keeps its old id.
func (r *Request) SessionRegenerateID() (string, error) {
	s := r.Session()
	if s.err != nil {
		return s.id, s.err
	}
	h, err := s.cfg.handler()
	if err != nil {
		return s.id, err
	}
	old, id := s.id, NewSessionID()
	if len(s.data) > 0 {
		b, err := json.Marshal(s.data)
		if err != nil {
			return old, err
		}
		if err := h.Write(id, b); err != nil {
			return old, err
		}
	}
	if err := h.Destroy(old); err != nil {
		_ = h.Destroy(id) // the old id still works: keep it, and leave nothing behind
		return old, fmt.Errorf("http: destroying the old session: %w", err)
	}
	s.id, s.dirty = id, false
	r.setSessionCookie(s.cfg, id)
	return id, nil
}

// setSessionCookie puts the session cookie on the next response, in place
// of one put there before.
func (r *Request) setSessionCookie(cfg *SessionConfig, id string) {
	prefix := cfg.cookiePrefix()
	extra := r.st.extra[:0]
	for _, line := range r.st.extra {
		if !strings.HasPrefix(line, prefix) {
			extra = append(extra, line)
		}
	}
	r.st.extra = append(extra, cfg.cookie(id))
}

// loadSession reads the session named id from the store.
func loadSession(cfg *SessionConfig, id string) *Session {
	s := &Session{id: id, cfg: cfg, data: map[string]any{}}
	h, err := cfg.handler()
	if err != nil {
		s.err = fmt.Errorf("http: opening the session store: %w", err)
		slog.Error("workerman: opening the session store", "err", err)
		return s
	}
	b, err := h.Read(id)
	if err != nil {
		s.err = fmt.Errorf("http: reading the session: %w", err)
		slog.Error("workerman: reading a session", "err", err)
		return s
	}
	if len(b) > 0 && json.Unmarshal(b, &s.data) != nil {
		s.data = map[string]any{}
	}
	return s
}

// ID is the session id.
func (s *Session) ID() string { return s.id }

// Err is why the session could not be read from its store or saved to it,
// nil when all went well. A session that could not be read starts empty and
// is never saved, so that it cannot overwrite the data it stands in for; one
// whose save failed is not saved again, so that a write the application was
// told failed does not land later. Save then returns the error again.
func (s *Session) Err() error { return s.err }

// Get returns a value, nil when it is not set.
func (s *Session) Get(name string) any { return s.data[name] }

// Set stores a value.
func (s *Session) Set(name string, v any) { s.data[name] = v; s.dirty = true }

// Put stores every value of values, as Workerman's put(array) does.
func (s *Session) Put(values map[string]any) {
	if len(values) > 0 {
		maps.Copy(s.data, values)
		s.dirty = true
	}
}

// Delete removes a value.
func (s *Session) Delete(name string) {
	if _, ok := s.data[name]; ok {
		delete(s.data, name)
		s.dirty = true
	}
}

// Forget removes every named value.
func (s *Session) Forget(names ...string) {
	for _, n := range names {
		s.Delete(n)
	}
}

// Pull returns a value and removes it.
func (s *Session) Pull(name string) any {
	v := s.data[name]
	s.Delete(name)
	return v
}

// Has reports whether a value is set (and not nil), as PHP's isset.
func (s *Session) Has(name string) bool { return s.data[name] != nil }

// Exists reports whether a value is set, nil or not.
func (s *Session) Exists(name string) bool {
	_, ok := s.data[name]
	return ok
}

// All returns a copy of every value.
func (s *Session) All() map[string]any { return maps.Clone(s.data) }

// Flush removes every value; the session is destroyed when it is saved.
func (s *Session) Flush() {
	if len(s.data) > 0 {
		clear(s.data)
		s.dirty = true
	}
}

// Refresh marks the session as used now, so that it lives another
// Lifetime, without writing its data.
func (s *Session) Refresh() error {
	if s.err != nil {
		return s.err
	}
	h, err := s.cfg.handler()
	if err != nil {
		return err
	}
	return h.UpdateTimestamp(s.id, nil)
}

// Save writes changed data now rather than at the end of the request. A nil
// error means the store took it; after an error the session is not saved
// again (see Err).
func (s *Session) Save() error {
	if s.err != nil {
		return fmt.Errorf("http: session not saved: %w", s.err)
	}
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
	if err != nil {
		// Never again: a write that lands later, after the application was
		// told it failed, would surprise more than one that is lost.
		s.err = fmt.Errorf("http: an earlier save failed: %w", err)
		return err
	}
	s.dirty = false
	s.cfg.maybeGC()
	return nil
}

func (r *Request) saveSession() {
	if s := r.session; s != nil && s.err == nil && (s.dirty || s.cfg.AutoUpdateTimestamp) {
		if err := s.Save(); err != nil {
			slog.Error("workerman: saving a session", "err", err)
		}
	}
}
