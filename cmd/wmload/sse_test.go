package main

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/workerman-go/workerman/internal/fdlimit"
	"github.com/workerman-go/workerman/internal/nettest"
)

// hub broadcasts one stamped event to every subscribed stream each tick,
// the way a server fans a message out to its SSE clients.
type hub struct {
	mu   sync.Mutex
	subs map[chan string]struct{}
	stop chan struct{}
	done sync.WaitGroup
}

func newHub(t *testing.T, every time.Duration) *hub {
	h := &hub{subs: map[chan string]struct{}{}, stop: make(chan struct{})}
	h.done.Add(1)
	go func() {
		defer h.done.Done()
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-h.stop:
				return
			case <-tick.C:
			}
			ev := stampedData()
			h.mu.Lock()
			for ch := range h.subs {
				select {
				case ch <- ev:
				default: // a slow stream misses this one
				}
			}
			h.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		close(h.stop)
		h.done.Wait()
	})
	return h
}

func stampedData() string {
	return "event: tick\ndata: ts=" + strconv.FormatInt(time.Now().UnixNano(), 10) + "\n\n"
}

// ServeHTTP streams with net/http, so the stream is chunked; every client
// gets a stamped event of its own at once, then the broadcasts.
func (h *hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Accept") != "text/event-stream" {
		http.Error(w, "want an event stream", http.StatusNotAcceptable)
		return
	}
	ch := make(chan string, 4)
	h.mu.Lock()
	h.subs[ch] = struct{}{}
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		delete(h.subs, ch)
		h.mu.Unlock()
	}()
	w.Header().Set("Content-Type", "text/event-stream")
	fmt.Fprint(w, ": hello\n\n"+stampedData())
	w.(http.Flusher).Flush()
	for {
		select {
		case ev := <-ch:
			if _, err := fmt.Fprint(w, ev); err != nil {
				return
			}
			w.(http.Flusher).Flush()
		case <-r.Context().Done():
			return
		case <-h.stop:
			return
		}
	}
}

// eachReader runs test with a goroutine per client and, where the system
// has epoll, with two reader threads (-readers 2): each gets the flags.
func eachReader(t *testing.T, test func(t *testing.T, flags ...string)) {
	t.Run("goroutine per client", func(t *testing.T) { test(t) })
	t.Run("readers", func(t *testing.T) {
		if runtime.GOOS != "linux" {
			t.Skip("-readers needs Linux's epoll")
		}
		test(t, "-readers", "2")
	})
}

// sseArgs is the sse mode's arguments: flags, then args.
func sseArgs(flags []string, args ...string) []string {
	return append(append([]string{"sse"}, flags...), args...)
}

func TestSSEModeWithChunkedStampedBroadcasts(t *testing.T) {
	eachReader(t, testChunkedStampedBroadcasts)
}

func testChunkedStampedBroadcasts(t *testing.T, flags ...string) {
	h := newHub(t, 20*time.Millisecond)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	var rep sseReport
	runJSON(t, &rep, sseArgs(flags, "-c", "50", "-d", "1500ms", "-server-pid", strconv.Itoa(os.Getpid()), srv.URL+"/events")...)
	if rep.Connected != 50 || rep.Failed != 0 || rep.Errors.total() != 0 {
		t.Fatalf("connected %d, failed %d, errors %+v", rep.Connected, rep.Failed, rep.Errors)
	}
	if rep.ConnectAll <= 0 || rep.FirstEventAll < rep.ConnectAll || rep.FirstEventAll > 1.5 {
		t.Fatalf("connect all %vs, first event all %vs", rep.ConnectAll, rep.FirstEventAll)
	}
	if rep.EventsPerSecond <= 0 {
		t.Fatalf("no steady event rate from %d events", rep.Events)
	}
	if runtime.GOOS == "linux" && rep.ClientCPU <= 0 {
		t.Fatalf("wmload's own CPU time %v, want it measured", rep.ClientCPU)
	}
	if rep.Events < 50 || rep.Stamped == nil || rep.Stamped.Samples != rep.Events {
		t.Fatalf("%d events, stamped latency %+v: every event carries a stamp", rep.Events, rep.Stamped)
	}
	if rep.BroadcastLast == nil || rep.Broadcasts == 0 || rep.BroadcastLast.Max > rep.Stamped.Max {
		t.Fatalf("broadcasts %d, last receipt %+v, all receipts %+v", rep.Broadcasts, rep.BroadcastLast, rep.Stamped)
	}
	if f := rep.BroadcastFirst; f == nil || f.Samples != rep.BroadcastLast.Samples || f.P50 > rep.BroadcastLast.P50 || f.Min < rep.Stamped.Min {
		t.Fatalf("first receipts %+v, last receipts %+v, all receipts %+v", f, rep.BroadcastLast, rep.Stamped)
	}
	if m := rep.Server; m == nil || m.Processes < 1 || m.BeforeKB <= 0 || m.AfterKB <= 0 || !m.SampledAll {
		t.Fatalf("server memory %+v", rep.Server)
	}
	// The peak is never below what the process held at any sample.
	if m := rep.Server; m.ConnectedKB <= 0 || m.PeakKB < m.ConnectedKB || m.PeakKB < m.AfterKB ||
		m.PeakPerConnKB != float64(m.PeakKB-m.ConnectedKB)/float64(rep.Connected) {
		t.Fatalf("server memory with every client connected, and at its peak: %+v", rep.Server)
	}
}

// The seed's bytes: a head with neither length nor chunking, then events.
const (
	seedHead  = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: keep-alive\r\n\r\n"
	seedEvent = "event: message\nid: 1\ndata: hello\n\n"
)

func TestSSEModeWithARawStream(t *testing.T) { eachReader(t, testRawStream) }

func testRawStream(t *testing.T, flags ...string) {
	ln := listen(t)
	nettest.GoServe(t, ln, func(c net.Conn) {
		buf := make([]byte, 4096)
		if _, err := c.Read(buf); err != nil {
			return
		}
		// The head arrives with half an event; the rest comes later.
		c.Write([]byte(seedHead + seedEvent[:10]))
		time.Sleep(10 * time.Millisecond)
		c.Write([]byte(seedEvent[10:] + seedEvent + seedEvent))
		c.Read(buf) // until the client leaves
	})
	var rep sseReport
	runJSON(t, &rep, sseArgs(flags, "-c", "20", "-d", "1s", "http://"+ln.Addr().String()+"/")...)
	if rep.Connected != 20 || rep.Events != 60 || rep.Errors.total() != 0 {
		t.Fatalf("connected %d, events %d (want 60), errors %+v", rep.Connected, rep.Events, rep.Errors)
	}
	if rep.Stamped != nil || rep.BroadcastLast != nil {
		t.Fatal("unstamped events produced a latency report")
	}
}

func TestSSEModeCountsFailures(t *testing.T) { eachReader(t, testCountsFailures) }

func testCountsFailures(t *testing.T, flags ...string) {
	tests := []struct {
		name  string
		reply string
		kind  func(*errorCounts) uint64
	}{
		{"a plain page is not an event stream", "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 2\r\n\r\nok", func(e *errorCounts) uint64 { return e.Parse }},
		{"an error status is not an event stream", "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", func(e *errorCounts) uint64 { return e.Parse }},
		{"a stream the server ends is an error", seedHead + seedEvent, func(e *errorCounts) uint64 { return e.Read }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ln := listen(t)
			nettest.GoServe(t, ln, func(c net.Conn) {
				buf := make([]byte, 4096)
				if _, err := c.Read(buf); err == nil {
					c.Write([]byte(tc.reply))
				}
				c.Close()
			})
			var rep sseReport
			runJSON(t, &rep, sseArgs(flags, "-c", "5", "-d", "2s", "http://"+ln.Addr().String()+"/")...)
			if got := tc.kind(&rep.Errors); got != 5 || rep.Errors.First == "" {
				t.Fatalf("errors %+v, want 5 of the expected kind", rep.Errors)
			}
		})
	}
}

// stampedAt is an event whose data is the stamp t.
func stampedAt(t time.Time) string {
	return "data: ts=" + strconv.FormatInt(t.UnixNano(), 10) + "\n\n"
}

func TestSSEModeCountsLateAndMissedEventsFromEachSource(t *testing.T) {
	eachReader(t, testCountsLateAndMissedEventsFromEachSource)
}

func testCountsLateAndMissedEventsFromEachSource(t *testing.T, flags ...string) {
	for _, src := range []string{"127.0.0.2", "127.0.0.3"} {
		l, err := net.Listen("tcp", src+":0")
		if err != nil {
			t.Skipf("no loopback address %s here: %v", src, err)
		}
		l.Close()
	}
	ln := listen(t)
	var mu sync.Mutex
	from := map[string]int{}
	nettest.GoServe(t, ln, func(c net.Conn) {
		mu.Lock()
		from[c.RemoteAddr().(*net.TCPAddr).IP.String()]++
		mu.Unlock()
		buf := make([]byte, 4096)
		if _, err := c.Read(buf); err != nil {
			return
		}
		// Due a second ago (late), now, in two seconds (the one due in a
		// second is missed) and in three: none is due after those.
		now := time.Now()
		c.Write([]byte(seedHead + stampedAt(now.Add(-time.Second)) + stampedAt(now) +
			stampedAt(now.Add(2*time.Second)) + stampedAt(now.Add(3*time.Second))))
		c.Read(buf) // until the client leaves
	})
	var rep sseReport
	runJSON(t, &rep, sseArgs(flags, "-c", "4", "-d", "1s", "-every", "1s", "-late", "500ms",
		"-src", "127.0.0.2, 127.0.0.3", "http://"+ln.Addr().String()+"/")...)
	if rep.Connected != 4 || rep.Events != 16 || rep.Errors.total() != 0 {
		t.Fatalf("connected %d, events %d (want 16), errors %+v", rep.Connected, rep.Events, rep.Errors)
	}
	want := scheduleReport{EveryS: 1, LateAfterMs: 500, Due: 20, Late: 4, Missed: 4}
	if s := rep.Schedule; s == nil || *s != want {
		t.Fatalf("schedule %+v, want %+v", s, want)
	}
	mu.Lock()
	defer mu.Unlock()
	if from["127.0.0.2"] != 2 || from["127.0.0.3"] != 2 {
		t.Fatalf("clients came from %v, want two from each -src address", from)
	}
}

func TestMissedAtEnd(t *testing.T) {
	end := time.Unix(100, 0)
	r := &sseRun{deadline: end, every: time.Second, lateAfter: 300 * time.Millisecond}
	tests := []struct {
		name  string
		s     sseStream
		count uint64
	}{
		{"no event since the head 3.5 s before the end", sseStream{head: end.Add(-3500 * time.Millisecond)}, 3},
		{"the next event is due too close to the end to be late", sseStream{head: end.Add(-time.Minute), stamp: end.Add(-1200 * time.Millisecond).UnixNano()}, 0},
		{"two due after the latest stamp", sseStream{head: end.Add(-time.Minute), stamp: end.Add(-2500 * time.Millisecond).UnixNano()}, 2},
	}
	for _, tc := range tests {
		tc.s.run = r
		if got := tc.s.missedAtEnd(); got != tc.count {
			t.Errorf("%s: %d missed, want %d", tc.name, got, tc.count)
		}
	}
}

func TestSSEModeRefusesMoreClientsThanDescriptors(t *testing.T) {
	files := fdlimit.Raise()
	if files == 0 || files >= 100_064 {
		t.Skipf("this process may open %d files: enough for 100,000 clients, or unknown", files)
	}
	var out, errOut bytes.Buffer
	err := run([]string{"sse", "-c", "100000", "-d", "1s", "http://127.0.0.1:1/"}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "run several wmload processes") {
		t.Fatalf("with %d descriptors, -c 100000: %v", files, err)
	}
}
