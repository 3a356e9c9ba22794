package sessionredis_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	nethttp "net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/internal/nettest"
	"github.com/workerman-go/workerman/protocols/http"
	"github.com/workerman-go/workerman/sessionredis"
	"github.com/workerman-go/workerman/worker"
)

// serveEnv names the Redis address a child process of the test binary
// serves sessions from.
const serveEnv = "SESSIONREDIS_TEST_SERVE"

func TestMain(m *testing.M) {
	if addr := os.Getenv(serveEnv); addr != "" {
		serveChild(addr)
		return
	}
	redis.SetLogger(quiet{}) // the tests stop Redis on purpose: its dial errors are expected
	os.Exit(nettest.Run(m))
}

type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

// serveChild is a second server process: it prints its address, then serves
// until it is killed.
func serveChild(redisAddr string) {
	w := newWorker(newHandler(redisAddr, false), nil)
	if _, err := worker.Start(w); err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println(w.Addr())
	select {}
}

func newHandler(addr string, cluster bool) *sessionredis.Handler {
	client := sessionredis.NewClient(&redis.UniversalOptions{
		Addrs: []string{addr}, IsClusterMode: cluster,
		DialTimeout: callTimeout, ReadTimeout: callTimeout, WriteTimeout: callTimeout, PoolTimeout: callTimeout,
	})
	return &sessionredis.Handler{Client: client, Lifetime: time.Hour, Timeout: callTimeout, Backoff: 50 * time.Millisecond}
}

// newWorker serves counter with sessions in h; midRequest, if set, runs
// between reading the session and saving it.
func newWorker(h *sessionredis.Handler, midRequest func()) *worker.Worker {
	cfg := http.NewSessionConfig()
	cfg.Handler = h
	w := worker.New("http://127.0.0.1:0")
	w.Protocol = &http.Protocol{Session: cfg}
	w.OnMessage = func(c *connection.TcpConnection, data any) { counter(c, data.(*http.Request), midRequest) }
	return w
}

// counter counts a session's requests and saves at once, answering
// "pid n" when Redis took the write and "pid error: ..." when not.
func counter(c *connection.TcpConnection, r *http.Request, midRequest func()) {
	s := r.Session()
	if r.Path() == "/refresh" {
		c.Send(fmt.Sprintf("%d refresh: %v", os.Getpid(), s.Refresh()))
		return
	}
	if midRequest != nil {
		midRequest()
	}
	n, _ := s.Get("n").(float64)
	s.Set("n", n+1)
	if err := s.Save(); err != nil {
		c.Send(fmt.Sprintf("%d error: %v", os.Getpid(), err))
		return
	}
	c.Send(fmt.Sprintf("%d %v", os.Getpid(), n+1))
}

func serve(t *testing.T, h *sessionredis.Handler, midRequest func()) string {
	t.Helper()
	return nettest.Serve(t, newWorker(h, midRequest))
}

// browser is a net/http client with a cookie jar.
type browser struct {
	t *testing.T
	c *nethttp.Client
}

func newBrowser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, c: &nethttp.Client{Jar: jar, Timeout: nettest.Timeout}}
}

// get returns the answering process's pid and the rest of the answer.
func (b *browser) get(url string) (pid, answer string) {
	resp, err := b.c.Get(url)
	if err != nil {
		b.t.Error(err)
		return "", ""
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	pid, answer, _ = strings.Cut(string(body), " ")
	return pid, answer
}

func TestSessionsLiveInRedisWithTheirTTL(t *testing.T) {
	rs := startRedis(t)
	h := newHandler(rs.addr, false)
	h.Prefix = "app_"
	addr := serve(t, h, nil)
	b := newBrowser(t)
	for i := 1; i <= 3; i++ {
		if _, got := b.get("http://" + addr + "/"); got != strconv.Itoa(i) {
			t.Fatalf("request %d: %q", i, got)
		}
	}
	keys := rs.keys()
	if len(keys) != 1 || !strings.HasPrefix(keys[0], "app_") || !http.ValidSessionID(strings.TrimPrefix(keys[0], "app_")) {
		t.Fatalf("keys %v", keys)
	}
	ctx := context.Background()
	c := rs.client()
	if v, _ := c.Get(ctx, keys[0]).Result(); v != `{"n":3}` {
		t.Fatalf("stored %q", v)
	}
	if ttl := c.PTTL(ctx, keys[0]).Val(); ttl <= 0 || ttl > h.Lifetime {
		t.Fatalf("TTL %v, want at most %v", ttl, h.Lifetime)
	}

	// Refresh sets the TTL back to Lifetime.
	c.Expire(ctx, keys[0], 10*h.Lifetime)
	if _, got := b.get("http://" + addr + "/refresh"); got != "refresh: <nil>" {
		t.Fatalf("refresh: %q", got)
	}
	if ttl := c.PTTL(ctx, keys[0]).Val(); ttl <= 0 || ttl > h.Lifetime {
		t.Fatalf("TTL after refresh %v, want at most %v", ttl, h.Lifetime)
	}
}

func TestASessionExpiresWithItsKey(t *testing.T) {
	rs := startRedis(t)
	h := newHandler(rs.addr, false)
	h.Lifetime = time.Second
	addr := serve(t, h, nil)
	b := newBrowser(t)
	b.get("http://" + addr + "/")
	if _, got := b.get("http://" + addr + "/"); got != "2" {
		t.Fatalf("second request %q", got)
	}
	nettest.Eventually(t, "the session's key expired", func() bool { return len(rs.keys()) == 0 })
	if _, got := b.get("http://" + addr + "/"); got != "1" {
		t.Fatalf("after expiry %q, want a fresh count", got)
	}
}

func TestTwoProcessesShareSessions(t *testing.T) {
	rs := startRedis(t)
	var addrs []string
	for range 2 {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), serveEnv+"="+rs.addr)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		nettest.Start(t, cmd)
		line, err := bufio.NewReader(out).ReadString('\n')
		if err != nil || strings.HasPrefix(line, "error") {
			t.Fatalf("server process: %q %v", line, err)
		}
		addrs = append(addrs, strings.TrimSpace(line))
	}

	// Browsers at once, each alternating between the two processes: every
	// count must follow the one the other process saved.
	const browsers, requests = 6, 20
	pids := make([]map[string]bool, browsers)
	var wg sync.WaitGroup
	for i := range browsers {
		pids[i] = map[string]bool{}
		wg.Go(func() {
			b := newBrowser(t)
			for n := 1; n <= requests; n++ {
				pid, got := b.get("http://" + addrs[n%2] + "/")
				if got != strconv.Itoa(n) {
					t.Errorf("browser %d request %d: %q", i, n, got)
					return
				}
				pids[i][pid] = true
			}
		})
	}
	wg.Wait()
	for i, p := range pids {
		if len(p) != 2 {
			t.Fatalf("browser %d was served by %v, want two processes", i, p)
		}
	}
	if n := len(rs.keys()); n != browsers {
		t.Fatalf("%d keys for %d browsers", n, browsers)
	}
}

func TestARedisRestartLosesNoAcknowledgedWrite(t *testing.T) {
	rs := startRedis(t)
	addr := serve(t, newHandler(rs.addr, false), nil)
	b := newBrowser(t)
	for i := 1; i <= 3; i++ {
		if _, got := b.get("http://" + addr + "/"); got != strconv.Itoa(i) {
			t.Fatalf("request %d: %q", i, got)
		}
	}
	rs.kill()
	for range 2 {
		_, got := b.get("http://" + addr + "/")
		if !strings.HasPrefix(got, "error: http: session not saved: http: reading the session: sessionredis: read: ") {
			t.Fatalf("with Redis down: %q", got)
		}
	}
	rs.restart()
	// The count goes on from the last write Redis acknowledged: the
	// failed ones were reported and are not there.
	if got := untilServed(t, b, addr); got != "4" {
		t.Fatalf("after the restart: %q", got)
	}
}

// untilServed repeats a request while the handler still answers that Redis
// is unavailable (its Backoff), and returns the first other answer.
func untilServed(t *testing.T, b *browser, addr string) string {
	t.Helper()
	var got string
	nettest.Eventually(t, "Redis back for the handler", func() bool {
		_, got = b.get("http://" + addr + "/")
		return !strings.Contains(got, sessionredis.ErrUnavailable.Error())
	})
	return got
}

func TestRedisDownMidRequest(t *testing.T) {
	rs := startRedis(t)
	var down atomic.Bool
	addr := serve(t, newHandler(rs.addr, false), func() {
		if down.Load() {
			rs.kill()
		}
	})
	b := newBrowser(t)
	b.get("http://" + addr + "/")
	down.Store(true)
	_, got := b.get("http://" + addr + "/")
	if !strings.HasPrefix(got, "error: sessionredis: write: ") {
		t.Fatalf("Redis gone between the read and the write: %q", got)
	}
	down.Store(false)
	rs.restart()
	if got := untilServed(t, b, addr); got != "2" {
		t.Fatalf("after the restart: %q, want the count the failed write did not change", got)
	}
}

func TestBadSessionIDsReachNoKey(t *testing.T) {
	rs := startRedis(t)
	h := newHandler(rs.addr, false)
	addr := serve(t, h, nil)
	for _, id := range []string{"*", "../../x", "a b c d e f g h i j k", strings.Repeat("x", 300), "short"} {
		req, _ := nethttp.NewRequest("GET", "http://"+addr+"/", nil)
		req.AddCookie(&nethttp.Cookie{Name: "PHPSID", Value: id, Quoted: false})
		resp, err := nethttp.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if _, got, _ := strings.Cut(string(body), " "); got != "1" {
			t.Fatalf("cookie %q: %q, want a new session", id, got)
		}
	}
	for _, k := range rs.keys() {
		if !strings.HasPrefix(k, sessionredis.DefaultPrefix) || !http.ValidSessionID(strings.TrimPrefix(k, sessionredis.DefaultPrefix)) {
			t.Fatalf("key %q", k)
		}
	}
	if _, err := h.Read("../../x"); !errors.Is(err, http.ErrInvalidSessionID) {
		t.Fatalf("Read of a bad id: %v", err)
	}
	if err := h.Write("*", []byte("x")); !errors.Is(err, http.ErrInvalidSessionID) {
		t.Fatalf("Write of a bad id: %v", err)
	}
}

func TestRedisCluster(t *testing.T) {
	rs := startRedis(t, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf")
	c := rs.client()
	if err := c.ClusterAddSlotsRange(context.Background(), 0, 16383).Err(); err != nil {
		t.Fatal(err)
	}
	waitClusterOK(t, c)
	h := newHandler(rs.addr, true)
	if _, ok := h.Client.(*redis.ClusterClient); !ok {
		t.Fatalf("client %T, want a cluster client", h.Client)
	}
	addr := serve(t, h, nil)
	b := newBrowser(t)
	for i := 1; i <= 3; i++ {
		if _, got := b.get("http://" + addr + "/"); got != strconv.Itoa(i) {
			t.Fatalf("request %d: %q", i, got)
		}
	}
}

func TestARedisThatNeverAnswersCostsOneTimeoutPerBackoff(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	nettest.GoServe(t, ln, func(c net.Conn) { io.Copy(io.Discard, c) }) // reads, never answers
	h := &sessionredis.Handler{
		Client:  sessionredis.NewClient(&redis.UniversalOptions{Addrs: []string{ln.Addr().String()}}),
		Timeout: 50 * time.Millisecond,
		Backoff: time.Hour,
	}
	if err := h.Open("", ""); err != nil {
		t.Fatal(err)
	}
	id := http.NewSessionID()
	if _, err := h.Read(id); err == nil || errors.Is(err, sessionredis.ErrUnavailable) {
		t.Fatalf("first read: %v, want the timeout", err)
	}
	for _, err := range []error{h.Write(id, []byte("{}")), h.Destroy(id), h.UpdateTimestamp(id, nil)} {
		if !errors.Is(err, sessionredis.ErrUnavailable) {
			t.Fatalf("within the back-off: %v", err)
		}
	}
}

func TestAnErrorReplyIsNoOutage(t *testing.T) {
	rs := startRedis(t)
	h := newHandler(rs.addr, false)
	h.Backoff = time.Hour
	if err := h.Open("", ""); err != nil {
		t.Fatal(err)
	}
	id := http.NewSessionID()
	rs.client().LPush(context.Background(), sessionredis.DefaultPrefix+id, "x")
	if _, err := h.Read(id); err == nil || !strings.Contains(err.Error(), "WRONGTYPE") {
		t.Fatalf("read of a list: %v", err)
	}
	if err := h.Write(id, []byte(`{"a":1}`)); err != nil {
		t.Fatalf("Redis answered, so it is up: %v", err)
	}
}
