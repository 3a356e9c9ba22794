package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The sse mode opens many EventSource-like clients and holds them open: it
// measures how long a server takes to answer all of them, how many events it
// delivers, how late they arrive when the server stamps them, and, given the
// server's pid, how much memory each connection costs it.

// maxBroadcasts bounds the per-stamp table of the broadcast report.
const maxBroadcasts = 100_000

// maxEventSize bounds the bytes of one event line a client buffers.
const maxEventSize = 1 << 20

// errServerClosed ends a stream whose server closed the connection.
var errServerClosed = errors.New("server closed the event stream")

// maxReaders bounds -readers.
const maxReaders = 64

// streamReaders reads the streams of a run on a few threads (-readers): add
// takes over a client's connection once its head is read, and wait returns
// once the run is over and every stream has ended.
type streamReaders interface {
	add(i int, c net.Conn, s *sseStream, rest []byte)
	wait()
	close()
}

type sseRun struct {
	addr        string
	request     []byte
	clients     int
	concurrency int
	duration    time.Duration
	dialTimeout time.Duration
	serverPID   int
	sources     []net.Addr    // client i connects from sources[i%len], if any
	every       time.Duration // the server's period per client, if known
	lateAfter   time.Duration // a receipt later than this after its stamp is late
	readers     int           // epoll threads reading the streams, 0 for a goroutine per client
	poll        streamReaders // what reads the streams when readers > 0

	start, deadline time.Time
	dials           chan struct{} // a slot per connect in flight
	conns           []net.Conn    // closed after the run, once memory is read

	connected, failed, withEvent atomic.Int64
	events, late, missed         atomic.Uint64
	lastConnect, lastFirstEvent  atomic.Int64 // since start
	allEventOnce                 sync.Once
	memAfter                     chan struct{} // closed when every client has had an event
	allConnectedOnce             sync.Once
	memConnected                 chan struct{} // closed when every client has its response head

	mu         sync.Mutex // guards what follows
	errs       errorCounts
	rate       float64 // events per second in steady state, summed over clients
	latency    histogram
	broadcasts map[int64]*broadcast
	truncated  bool
}

// A broadcast is every receipt of events carrying one stamp.
type broadcast struct {
	receipts    int
	first, last time.Duration
}

// sseReport is the result of the sse mode.
type sseReport struct {
	Mode             string          `json:"mode"`
	Target           string          `json:"target"`
	Clients          int             `json:"clients"`
	Connected        int64           `json:"connected"`
	Failed           int64           `json:"failed"`
	ConnectAll       float64         `json:"connect_all_s"`
	FirstEventAll    float64         `json:"first_event_all_s"`
	Events           uint64          `json:"events"`
	EventsPerSecond  float64         `json:"events_per_s"`
	Stamped          *latencyReport  `json:"latency_ms,omitempty"`
	Broadcasts       int             `json:"broadcasts,omitempty"`
	BroadcastFirst   *latencyReport  `json:"broadcast_first_ms,omitempty"`
	BroadcastLast    *latencyReport  `json:"broadcast_last_ms,omitempty"`
	BroadcastsCapped bool            `json:"broadcasts_capped,omitempty"`
	Schedule         *scheduleReport `json:"schedule,omitempty"`
	Server           *memoryReport   `json:"server,omitempty"`
	Errors           errorCounts     `json:"errors"`
	// ClientCPU is wmload's own user+system CPU time over the run, where
	// the system tells it (0 elsewhere): what the load took from the cores.
	ClientCPU float64 `json:"client_cpu_s,omitempty"`
}

// scheduleReport holds the stamped events against the schedule (-every):
// the stamps are when each event was due, so a receipt long after its stamp
// is late, and a step between stamps, or a stretch before the end with no
// stamp, longer than the period is events missed.
type scheduleReport struct {
	EveryS      float64 `json:"every_s"`
	LateAfterMs float64 `json:"late_after_ms"`
	Due         uint64  `json:"due"` // stamped receipts plus missed events
	Late        uint64  `json:"late"`
	Missed      uint64  `json:"missed"`
}

// memorySample is the resident memory of a process tree.
type memorySample struct {
	rssKB     int64
	peakKB    int64 // VmHWM: the most each process ever held
	processes int
}

// memoryReport is the server's resident memory, summed over its process tree.
type memoryReport struct {
	PID        int     `json:"pid"`
	Processes  int     `json:"processes"`
	BeforeKB   int64   `json:"rss_before_kb"`
	AfterKB    int64   `json:"rss_after_kb"`
	PerConnKB  float64 `json:"rss_per_conn_kb"`
	SampledAll bool    `json:"sampled_with_all_events"`
	// ConnectedKB is read once every client has its response head, before
	// any has an event when the server waits to send its first; PeakKB is
	// the processes' peaks (VmHWM) summed, read at the end of the run.
	ConnectedKB   int64   `json:"rss_connected_kb"`
	PeakKB        int64   `json:"rss_peak_kb"`
	PeakPerConnKB float64 `json:"peak_above_connected_per_conn_kb"`
}

func runSSE(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sse", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		c       common
		headers headerFlags
		r       sseRun
	)
	c.register(fs)
	fs.IntVar(&r.clients, "c", 1000, "clients")
	fs.IntVar(&r.concurrency, "concurrency", 256, "connects in flight at once")
	fs.IntVar(&r.serverPID, "server-pid", 0, "pid of the server (its child processes count too): report its memory per connection")
	fs.Var(&headers, "H", `extra request header "Name: value" (repeatable)`)
	src := fs.String("src", "", "loopback source addresses, comma separated: client i connects from the i-th modulo their count (each has its own ephemeral ports)")
	fs.DurationVar(&r.every, "every", 0, "the server sends each client an event this often, stamped with when it was due: count late and missed events")
	fs.DurationVar(&r.lateAfter, "late", 250*time.Millisecond, "with -every: a receipt more than this after its stamp is late")
	fs.IntVar(&r.readers, "readers", 0, "read the streams on this many threads, each with an epoll set (Linux), instead of a goroutine per client: less CPU taken from a server on the same cores")
	t, err := c.parse(fs, args)
	if err == nil {
		r.sources, err = parseSources(*src)
		err = errors.Join(err,
			checkRange("sse", "c", int64(r.clients), 1, maxConnections),
			checkRange("sse", "concurrency", int64(r.concurrency), 1, maxConnections),
			checkRange("sse", "readers", int64(r.readers), 0, maxReaders),
		)
	}
	if err == nil && (r.every < 0 || r.lateAfter <= 0) {
		err = fmt.Errorf("sse: -every %v must not be negative and -late %v must be positive", r.every, r.lateAfter)
	}
	// Each client is a descriptor; the rest is the runtime's and the server memory reads.
	if err == nil && c.files > 0 && uint64(r.clients)+64 > c.files {
		err = fmt.Errorf("sse: -c %d clients need a descriptor each and this process may open %d: run several wmload processes", r.clients, c.files)
	}
	if err != nil {
		return err
	}
	r.addr, r.duration, r.dialTimeout = t.addr, c.duration, c.dialTimeout
	r.request = buildRequest(t, headers, true)
	rep, err := r.run()
	if err != nil {
		return err
	}
	rep.Target = "http://" + t.host + t.path
	if c.json {
		return writeJSON(stdout, rep)
	}
	writeSSE(stdout, rep)
	return nil
}

// parseSources reads -src: loopback IP addresses to connect from.
func parseSources(list string) ([]net.Addr, error) {
	if list == "" {
		return nil, nil
	}
	var addrs []net.Addr
	for _, s := range strings.Split(list, ",") {
		ip, err := loopbackIP(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("sse: -src: %w", err)
		}
		addrs = append(addrs, &net.TCPAddr{IP: net.ParseIP(ip)})
	}
	return addrs, nil
}

func (r *sseRun) run() (*sseReport, error) {
	var before memorySample
	if r.serverPID > 0 {
		var err error
		if before, err = sampleTree(r.serverPID); err != nil {
			return nil, err
		}
	}
	cpuBefore := selfCPU()
	r.start = time.Now()
	r.deadline = r.start.Add(r.duration)
	if r.readers > 0 {
		var err error
		if r.poll, err = newEpollReaders(r); err != nil {
			return nil, err
		}
		defer r.poll.close()
	}
	r.dials = make(chan struct{}, r.concurrency)
	r.conns = make([]net.Conn, r.clients)
	r.broadcasts = map[int64]*broadcast{}
	r.memAfter = make(chan struct{})
	r.memConnected = make(chan struct{})
	var connected, after, end memorySample
	var sampleErr error
	sampled, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sampled)
		timeout := time.NewTimer(time.Until(r.deadline))
		defer timeout.Stop()
		for _, s := range []struct {
			when <-chan struct{}
			into *memorySample
		}{{r.memConnected, &connected}, {r.memAfter, &after}} {
			select {
			case <-s.when:
			case <-finished: // every client failed or ended early
			case <-timeout.C:
			}
			if r.serverPID > 0 && sampleErr == nil {
				*s.into, sampleErr = sampleTree(r.serverPID)
			}
		}
	}()
	var wg sync.WaitGroup
	for i := range r.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.client(i)
		}()
	}
	wg.Wait()
	if r.poll != nil {
		r.poll.wait()
	}
	close(finished)
	<-sampled
	if r.serverPID > 0 && sampleErr == nil {
		end, sampleErr = sampleTree(r.serverPID) // while every client is still connected
	}
	for _, c := range r.conns {
		if c != nil {
			c.Close()
		}
	}
	rep := r.report()
	rep.ClientCPU = selfCPU() - cpuBefore
	if r.serverPID > 0 {
		if sampleErr != nil {
			return nil, sampleErr
		}
		rep.Server = &memoryReport{
			PID: r.serverPID, Processes: after.processes, BeforeKB: before.rssKB, AfterKB: after.rssKB,
			SampledAll:  rep.FirstEventAll > 0,
			ConnectedKB: connected.rssKB, PeakKB: end.peakKB,
		}
		if rep.Connected > 0 {
			rep.Server.PerConnKB = float64(after.rssKB-before.rssKB) / float64(rep.Connected)
			rep.Server.PeakPerConnKB = float64(end.peakKB-connected.rssKB) / float64(rep.Connected)
		}
	}
	return rep, nil
}

// client is one EventSource: connect, read the head, then read events until
// the deadline. Its connection stays open until the run is over.
func (r *sseRun) client(i int) {
	var from net.Addr
	if len(r.sources) > 0 {
		from = r.sources[i%len(r.sources)]
	}
	r.dials <- struct{}{}
	c, h, rest, err := r.connect(from)
	<-r.dials
	if err != nil {
		r.failed.Add(1)
		r.checkAllConnected()
		r.checkAllEvents()
		return
	}
	storeMax(&r.lastConnect, time.Since(r.start))
	r.connected.Add(1)
	r.checkAllConnected()
	r.checkAllEvents()
	s := &sseStream{run: r, chunked: h.chunked, head: time.Now()}
	if r.poll != nil {
		r.poll.add(i, c, s, rest)
		return
	}
	r.conns[i] = c
	r.end(s, s.read(c, rest))
}

// end accounts for a stream that ended with err; past the deadline that is
// the run's end, not an error.
func (r *sseRun) end(s *sseStream, err error) {
	if err != nil {
		r.fail(&r.errs.Read, err)
	}
	if r.every > 0 {
		r.missed.Add(s.missedAtEnd())
	}
	if s.events > 1 && s.last.After(s.first) {
		r.mu.Lock()
		r.rate += float64(s.events-1) / s.last.Sub(s.first).Seconds()
		r.mu.Unlock()
	}
}

// connect dials, sends the request and reads the response head; rest is
// whatever followed the head in the same read.
func (r *sseRun) connect(from net.Addr) (net.Conn, head, []byte, error) {
	c, err := dialUntil(r.addr, from, r.dialTimeout, r.deadline)
	if err != nil {
		return nil, head{}, nil, r.fail(&r.errs.Connect, err)
	}
	if _, err := c.Write(r.request); err != nil {
		c.Close()
		return nil, head{}, nil, r.fail(&r.errs.Write, err)
	}
	buf := make([]byte, 1024)
	for n := 0; ; {
		if n == len(buf) {
			buf = append(buf, make([]byte, len(buf))...)
		}
		m, err := c.Read(buf[n:])
		n += m
		h, perr := parseHead(buf[:n])
		switch {
		case perr != nil:
			err = perr
		case h.size > 0 && (h.status != 200 || !h.eventStream):
			err = fmt.Errorf("answer is status %d without Content-Type text/event-stream, not an event stream", h.status)
		case h.size > 0:
			return c, h, buf[h.size:n], nil
		case err != nil:
			err = fmt.Errorf("reading the response head: %w", err)
		default:
			continue
		}
		c.Close()
		return nil, head{}, nil, r.fail(&r.errs.Parse, err)
	}
}

// fail counts err unless the run is over (then it is how the run ended).
func (r *sseRun) fail(counter *uint64, err error) error {
	if !expired(r.deadline) {
		r.mu.Lock()
		r.errs.note(counter, err)
		r.mu.Unlock()
	}
	return err
}

// checkAllConnected opens the memory sample of the connected clients once
// every client is done connecting.
func (r *sseRun) checkAllConnected() {
	if r.connected.Load()+r.failed.Load() == int64(r.clients) {
		r.allConnectedOnce.Do(func() { close(r.memConnected) })
	}
}

// checkAllEvents opens the memory sample once every client is done
// connecting and every connected one has had an event.
func (r *sseRun) checkAllEvents() {
	if r.connected.Load()+r.failed.Load() == int64(r.clients) && r.withEvent.Load() == r.connected.Load() && r.connected.Load() > 0 {
		r.allEventOnce.Do(func() { close(r.memAfter) })
	}
}

// An sseStream is the reading side of one client.
type sseStream struct {
	run     *sseRun
	chunked bool
	dec     chunkDecoder
	raw     []byte // chunked bytes not yet decoded
	body    []byte // event bytes not yet parsed
	parser  eventParser
	now     time.Time // when the bytes being parsed arrived
	events  int
	first   time.Time // arrival of the first event
	last    time.Time // and of the latest
	head    time.Time // arrival of the response head
	stamp   int64     // the latest stamp, 0 before the first
}

// missedAtEnd counts, with -every, the events due between the latest stamp
// (or the head) and the end of the run, less the time an event may take to
// arrive without being late, that never arrived.
func (s *sseStream) missedAtEnd() uint64 {
	r := s.run
	from := s.head
	if s.stamp != 0 {
		from = time.Unix(0, s.stamp)
	}
	if quiet := r.deadline.Sub(from) - r.lateAfter; quiet >= r.every {
		return uint64(quiet / r.every)
	}
	return 0
}

// countSchedule checks one stamp against the latest one and the period.
func (s *sseStream) countSchedule(stamp int64, late time.Duration) {
	r := s.run
	if late > r.lateAfter {
		r.late.Add(1)
	}
	if step := time.Duration(stamp - s.stamp); s.stamp != 0 && step > r.every*3/2 {
		r.missed.Add(uint64((step+r.every/2)/r.every) - 1)
	}
	s.stamp = stamp
}

func (s *sseStream) read(c net.Conn, rest []byte) error {
	emit := s.event
	buf := make([]byte, 512)
	s.now = time.Now()
	for data := rest; ; {
		if err := s.consume(data, emit); err != nil {
			return err
		}
		n, err := c.Read(buf)
		s.now = time.Now()
		if n == 0 && err != nil {
			if err == io.EOF {
				return errServerClosed
			}
			return err
		}
		data = buf[:n]
	}
}

// consume takes freshly read bytes and tells when the stream is over.
func (s *sseStream) consume(data []byte, emit func(int64, bool)) error {
	if err := s.take(data, emit); err != nil {
		return err
	}
	if s.chunked && s.dec.done() {
		return errors.New("server ended the event stream")
	}
	return nil
}

// take decodes freshly read bytes and parses the events they complete.
func (s *sseStream) take(data []byte, emit func(int64, bool)) error {
	if s.chunked {
		s.raw = append(s.raw, data...)
		n := 0
		for !s.dec.done() {
			used, piece, err := s.dec.next(s.raw[n:])
			if err != nil {
				return err
			}
			if used == 0 {
				break
			}
			s.body = append(s.body, piece...)
			n += used
		}
		s.raw = s.raw[:copy(s.raw, s.raw[n:])]
	} else {
		s.body = append(s.body, data...)
	}
	used := s.parser.feed(s.body, emit)
	s.body = s.body[:copy(s.body, s.body[used:])]
	if len(s.body)+len(s.raw) > maxEventSize {
		return fmt.Errorf("event line exceeds %d bytes", maxEventSize)
	}
	return nil
}

func (s *sseStream) event(stamp int64, stamped bool) {
	r := s.run
	r.events.Add(1)
	s.events++
	s.last = s.now
	if s.events == 1 {
		s.first = s.now
		storeMax(&r.lastFirstEvent, s.now.Sub(r.start))
		r.withEvent.Add(1)
		r.checkAllEvents()
	}
	if !stamped {
		return
	}
	late := s.now.Sub(time.Unix(0, stamp))
	if r.every > 0 {
		s.countSchedule(stamp, late)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.latency.record(late)
	b := r.broadcasts[stamp]
	if b == nil {
		if len(r.broadcasts) >= maxBroadcasts {
			r.truncated = true
			return
		}
		b = &broadcast{}
		r.broadcasts[stamp] = b
	}
	if b.receipts == 0 || late < b.first {
		b.first = late
	}
	b.receipts++
	b.last = max(b.last, late)
}

func storeMax(v *atomic.Int64, d time.Duration) {
	for {
		old := v.Load()
		if int64(d) <= old || v.CompareAndSwap(old, int64(d)) {
			return
		}
	}
}

func (r *sseRun) report() *sseReport {
	rep := &sseReport{
		Mode:      "sse",
		Clients:   r.clients,
		Connected: r.connected.Load(),
		Failed:    r.failed.Load(),
		Events:    r.events.Load(),
		Errors:    r.errs,
	}
	if rep.Connected == int64(r.clients) {
		rep.ConnectAll = time.Duration(r.lastConnect.Load()).Seconds()
	}
	if rep.Connected > 0 && r.withEvent.Load() == rep.Connected {
		rep.FirstEventAll = time.Duration(r.lastFirstEvent.Load()).Seconds()
	}
	rep.EventsPerSecond = r.rate
	if r.latency.n > 0 {
		l := newLatencyReport(&r.latency)
		rep.Stamped = &l
	}
	if r.every > 0 {
		rep.Schedule = &scheduleReport{
			EveryS: r.every.Seconds(), LateAfterMs: float64(r.lateAfter) / float64(time.Millisecond),
			Due: r.latency.n + r.missed.Load(), Late: r.late.Load(), Missed: r.missed.Load(),
		}
	}
	var first, last histogram
	shared := false
	for _, b := range r.broadcasts {
		first.record(b.first)
		last.record(b.last)
		shared = shared || b.receipts > 1
	}
	if shared {
		f, l := newLatencyReport(&first), newLatencyReport(&last)
		rep.Broadcasts, rep.BroadcastFirst, rep.BroadcastLast, rep.BroadcastsCapped = len(r.broadcasts), &f, &l, r.truncated
	}
	return rep
}

func writeSSE(w io.Writer, r *sseReport) {
	fmt.Fprintf(w, "sse %s: %d clients\n", r.Target, r.Clients)
	fmt.Fprintf(w, "  connected   %d (failed %d), all in %.3fs\n", r.Connected, r.Failed, r.ConnectAll)
	fmt.Fprintf(w, "  events      %s, %s/s in steady state; every client had one %.3fs after the start\n",
		group(float64(r.Events)), group(r.EventsPerSecond), r.FirstEventAll)
	if r.Stamped != nil {
		writeLatency(w, "send->recv", r.Stamped)
	}
	if s := r.Schedule; s != nil {
		fmt.Fprintf(w, "  schedule    every %gs: %d events due, %d late (more than %gms after the stamp), %d missed\n",
			s.EveryS, s.Due, s.Late, s.LateAfterMs, s.Missed)
	}
	if r.BroadcastLast != nil {
		writeLatency(w, "first recv", r.BroadcastFirst)
		writeLatency(w, "last recv", r.BroadcastLast)
		fmt.Fprintf(w, "              (send -> first and last receipt of each of %d broadcasts)\n", r.Broadcasts)
	}
	if m := r.Server; m != nil {
		fmt.Fprintf(w, "  server rss  %.1f MB -> %.1f MB over %d processes: %.2f KB per connection\n",
			float64(m.BeforeKB)/1024, float64(m.AfterKB)/1024, m.Processes, m.PerConnKB)
		fmt.Fprintf(w, "  server peak %.1f MB, %.2f KB per connection above the %.1f MB with every client connected\n",
			float64(m.PeakKB)/1024, m.PeakPerConnKB, float64(m.ConnectedKB)/1024)
	}
	writeErrors(w, &r.Errors)
}
