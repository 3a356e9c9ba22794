package http_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	nethttp "net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/internal/nettest"
	"github.com/workerman-go/workerman/protocols/http"
)

// sessionApp serves the session API by path, so that a real client drives it.
func sessionApp(c *connection.TcpConnection, r *http.Request) {
	s := r.Session()
	switch r.Path() {
	case "/set":
		s.Set(r.Get("k"), r.Get("v"))
	case "/put":
		s.Put(map[string]any{"a": "1", "b": "2", "c": "3"})
	case "/forget":
		s.Forget("a", "b")
	case "/flush":
		s.Flush()
	case "/refresh":
		if err := s.Refresh(); err != nil {
			c.Send("refresh: " + err.Error())
			return
		}
	case "/login":
		s.Set("user", r.Get("user"))
		if _, err := r.SessionRegenerateID(); err != nil {
			c.Send("regenerate: " + err.Error())
			return
		}
	case "/use":
		if err := r.SetSessionID(r.Get("id")); err != nil {
			c.Send("use: " + err.Error())
			return
		}
	}
	b, _ := json.Marshal(r.Session().All())
	c.Send(r.Session().ID() + " " + string(b))
}

// sessionClient is a net/http client with a cookie jar, as a browser.
type sessionClient struct {
	t    *testing.T
	base string
	c    *nethttp.Client
}

func newSessionClient(t *testing.T, addr string) *sessionClient {
	jar, _ := cookiejar.New(nil)
	return &sessionClient{t: t, base: "http://" + addr, c: &nethttp.Client{Jar: jar, Timeout: nettest.Timeout}}
}

// get returns the session id and data the server reports after the request.
func (sc *sessionClient) get(path string) (id, data string) {
	sc.t.Helper()
	resp, err := sc.c.Get(sc.base + path)
	if err != nil {
		sc.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	id, data, _ = strings.Cut(string(b), " ")
	return id, data
}

// cookie is the session id the jar holds.
func (sc *sessionClient) cookie() string {
	u, _ := url.Parse(sc.base)
	for _, ck := range sc.c.Jar.Cookies(u) {
		if ck.Name == "PHPSID" {
			return ck.Value
		}
	}
	return ""
}

func sessionConfig(t *testing.T) *http.SessionConfig {
	cfg := http.NewSessionConfig()
	cfg.SavePath = filepath.Join(t.TempDir(), "sessions")
	return cfg
}

func sessionFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestSessionRegenerateIDMovesTheDataAndEndsTheOldID(t *testing.T) {
	cfg := sessionConfig(t)
	addr := serveHTTP(t, &http.Protocol{Session: cfg}, sessionApp)
	browser := newSessionClient(t, addr)
	old, _ := browser.get("/set?k=cart&v=3")
	if browser.cookie() != old {
		t.Fatalf("jar holds %q, server used %q", browser.cookie(), old)
	}

	id, data := browser.get("/login?user=ann")
	if id == old || browser.cookie() != id {
		t.Fatalf("after login: id %q (old %q), jar %q", id, old, browser.cookie())
	}
	if want := `{"cart":"3","user":"ann"}`; data != want {
		t.Fatalf("moved data %s, want %s", data, want)
	}
	if _, data := browser.get("/"); data != `{"cart":"3","user":"ann"}` {
		t.Fatalf("next request sees %s", data)
	}
	if got := sessionFiles(t, cfg.SavePath); len(got) != 1 || got[0] != "session_"+id {
		t.Fatalf("session files %v, want only the new id's", got)
	}

	// Whoever planted the old id gets an empty session under a new id.
	attacker := newSessionClient(t, addr)
	u, _ := url.Parse(attacker.base)
	attacker.c.Jar.SetCookies(u, []*nethttp.Cookie{{Name: "PHPSID", Value: old}})
	got, data := attacker.get("/")
	if got != old || data != "{}" {
		t.Fatalf("old id: %q %s, want it empty", got, data)
	}
}

func TestSessionPutForgetFlushRefresh(t *testing.T) {
	cfg := sessionConfig(t)
	addr := serveHTTP(t, &http.Protocol{Session: cfg}, sessionApp)
	browser := newSessionClient(t, addr)
	steps := []struct{ path, want string }{
		{"/put", `{"a":"1","b":"2","c":"3"}`},
		{"/", `{"a":"1","b":"2","c":"3"}`},
		{"/forget", `{"c":"3"}`},
		{"/", `{"c":"3"}`},
		{"/refresh", `{"c":"3"}`},
		{"/flush", `{}`},
		{"/", `{}`},
	}
	for _, st := range steps {
		if _, data := browser.get(st.path); data != st.want {
			t.Fatalf("%s: %s, want %s", st.path, data, st.want)
		}
	}
	if got := sessionFiles(t, cfg.SavePath); len(got) != 0 {
		t.Fatalf("a flushed session left files %v", got)
	}
}

func TestRefreshKeepsASessionAlive(t *testing.T) {
	cfg := sessionConfig(t)
	addr := serveHTTP(t, &http.Protocol{Session: cfg}, sessionApp)
	browser := newSessionClient(t, addr)
	id, _ := browser.get("/set?k=a&v=1")
	file := filepath.Join(cfg.SavePath, "session_"+id)
	past := time.Now().Add(-cfg.Lifetime / 2)
	if err := os.Chtimes(file, past, past); err != nil {
		t.Fatal(err)
	}
	browser.get("/refresh")
	info, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if !info.ModTime().After(past) {
		t.Fatalf("refresh left the file at %v", info.ModTime())
	}
}

func TestSetSessionIDSwitchesSessions(t *testing.T) {
	cfg := sessionConfig(t)
	addr := serveHTTP(t, &http.Protocol{Session: cfg}, sessionApp)
	first := newSessionClient(t, addr)
	shared, _ := first.get("/set?k=n&v=1")

	second := newSessionClient(t, addr)
	second.get("/set?k=mine&v=x")
	id, data := second.get("/use?id=" + shared)
	if id != shared || data != `{"n":"1"}` || second.cookie() != shared {
		t.Fatalf("after SetSessionID: %q %s, jar %q", id, data, second.cookie())
	}
	resp, err := second.c.Get(second.base + "/use?id=" + url.QueryEscape("../x"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), http.ErrInvalidSessionID.Error()) {
		t.Fatalf("bad id answer %q", b)
	}
}

func TestSessionIDsThatFailTheFormatCheckGetANewSession(t *testing.T) {
	root := t.TempDir()
	cfg := http.NewSessionConfig()
	cfg.SavePath = filepath.Join(root, "sessions")
	addr := serveHTTP(t, &http.Protocol{Session: cfg}, sessionApp)
	bad := []string{
		"../../../../tmp/owned-session-aaaa",
		"..%2f..%2fowned-aaaaaaaaaaaa",
		"aaaaaaaaaaaaaaa/b",
		"short",
		strings.Repeat("a", 257),
		"aaaaaaaaaaaaaaaa\\b",
		"aaaaaaaaaaaaaaaa b",
		"aaaaaaaaaaaaaaaa.",
	}
	for _, id := range bad {
		// Raw bytes: net/http would refuse to send some of these cookies.
		nc := nettest.Dial(t, addr)
		fmt.Fprintf(nc, "GET /set?k=x&v=1 HTTP/1.1\r\nHost: a\r\nCookie: PHPSID=%s\r\n\r\n", id)
		resp, err := nethttp.ReadResponse(bufio.NewReader(nc), nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got, _, _ := strings.Cut(string(b), " ")
		if got == id || !http.ValidSessionID(got) {
			t.Fatalf("cookie %q: session id %q", id, got)
		}
		if ck := resp.Header.Get("Set-Cookie"); !strings.HasPrefix(ck, "PHPSID="+got+";") {
			t.Fatalf("cookie %q: Set-Cookie %q", id, ck)
		}
	}
	if got := sessionFiles(t, root); len(got) != 1 || got[0] != "sessions" {
		t.Fatalf("files beside the session directory: %v", got)
	}
	for _, name := range sessionFiles(t, cfg.SavePath) {
		if !http.ValidSessionID(strings.TrimPrefix(name, "session_")) {
			t.Fatalf("session file %q", name)
		}
	}
	if _, err := os.Stat("/tmp/owned-session-aaaa"); err == nil {
		t.Fatal("a file outside the session directory was written")
	}
}

func TestFileSessionHandlerRefusesBadIDs(t *testing.T) {
	h := &http.FileSessionHandler{Dir: t.TempDir()}
	for _, id := range []string{"../../etc/passwd", "", "a/" + strings.Repeat("b", 20)} {
		if _, err := h.Read(id); !errors.Is(err, http.ErrInvalidSessionID) {
			t.Fatalf("Read(%q): %v", id, err)
		}
		if err := h.Write(id, []byte("x")); !errors.Is(err, http.ErrInvalidSessionID) {
			t.Fatalf("Write(%q): %v", id, err)
		}
		if err := h.Destroy(id); !errors.Is(err, http.ErrInvalidSessionID) {
			t.Fatalf("Destroy(%q): %v", id, err)
		}
		if err := h.UpdateTimestamp(id, nil); !errors.Is(err, http.ErrInvalidSessionID) {
			t.Fatalf("UpdateTimestamp(%q): %v", id, err)
		}
	}
}

func TestSessionGCRemovesExpiredSessions(t *testing.T) {
	cfg := sessionConfig(t)
	cfg.GCProbability, cfg.GCDivisor = 1, 1 // every save
	addr := serveHTTP(t, &http.Protocol{Session: cfg}, sessionApp)
	if err := os.MkdirAll(cfg.SavePath, 0o700); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(cfg.SavePath, "session_"+http.NewSessionID())
	if err := os.WriteFile(stale, []byte(`{"old":1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	past := time.Now().Add(-2 * cfg.Lifetime)
	if err := os.Chtimes(stale, past, past); err != nil {
		t.Fatal(err)
	}
	browser := newSessionClient(t, addr)
	id, _ := browser.get("/set?k=a&v=1")
	nettest.Eventually(t, "the expired session collected", func() bool {
		_, err := os.Stat(stale)
		return os.IsNotExist(err)
	})
	if got := sessionFiles(t, cfg.SavePath); len(got) != 1 || got[0] != "session_"+id {
		t.Fatalf("after gc: %v", got)
	}
	if err := cfg.GC(); err != nil {
		t.Fatal(err)
	}
}

// brokenStore fails every call, as a store that cannot be reached does.
type brokenStore struct{ writes int }

var errStoreDown = errors.New("store down")

func (*brokenStore) Open(string, string) error            { return nil }
func (*brokenStore) Close() error                         { return nil }
func (*brokenStore) Read(string) ([]byte, error)          { return nil, errStoreDown }
func (b *brokenStore) Write(string, []byte) error         { b.writes++; return errStoreDown }
func (*brokenStore) Destroy(string) error                 { return errStoreDown }
func (*brokenStore) GC(time.Duration) error               { return errStoreDown }
func (*brokenStore) UpdateTimestamp(string, []byte) error { return errStoreDown }

func TestASessionThatCouldNotBeReadIsNeverSaved(t *testing.T) {
	store := &brokenStore{}
	cfg := http.NewSessionConfig()
	cfg.Handler = store
	addr := serveHTTP(t, &http.Protocol{Session: cfg}, func(c *connection.TcpConnection, r *http.Request) {
		s := r.Session()
		s.Set("n", 1)
		_, rerr := r.SessionRegenerateID()
		c.Send(fmt.Sprintf("read: %v; save: %v; regenerate: %v", s.Err(), s.Save(), rerr))
	})
	req, _ := nethttp.NewRequest("GET", "http://"+addr+"/", nil)
	req.Header.Set("Cookie", "PHPSID="+http.NewSessionID())
	resp, err := nethttp.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	want := "read: http: reading the session: store down; save: http: session not saved: http: reading the session: store down; regenerate: http: reading the session: store down"
	if string(b) != want {
		t.Fatalf("got  %q\nwant %q", b, want)
	}
	if store.writes != 0 {
		t.Fatalf("%d writes over data that could not be read", store.writes)
	}
}
