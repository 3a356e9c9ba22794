package worker

import (
	"encoding/json"
	"io"
	"math"
	"os"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/internal/eventloop"
	"github.com/workerman-go/workerman/protocols"
	"github.com/workerman-go/workerman/protocols/http"
)

// statusReport is what `status` prints, and `status --json` as is.
type statusReport struct {
	At          time.Time       `json:"at"`
	Daemon      bool            `json:"daemon"`
	Version     string          `json:"version"`
	GoVersion   string          `json:"go_version"`
	OS          string          `json:"os"`
	Start       time.Time       `json:"start_time"`
	LoadAverage string          `json:"load_average"`
	Workers     []workerSummary `json:"workers"`
	Processes   []processStatus `json:"processes"`

	Extensions []extensionStatus `json:"extensions,omitempty"` // services the master runs for its children
}

// workerSummary is one worker of the program and how its processes exited.
type workerSummary struct {
	Name      string      `json:"name"`
	Listen    string      `json:"listen"`
	EventLoop string      `json:"event_loop"`
	Count     int         `json:"count"`
	Exits     []exitCount `json:"exits"`
}

// exitCount is how many child processes ended with one raw wait status.
type exitCount struct {
	Status int `json:"status"`
	Count  int `json:"count"`
}

// processStatus is one child process. Busy children did not answer in time
// and carry no figures.
type processStatus struct {
	PID    int    `json:"pid"`
	Worker string `json:"worker"`
	ID     int    `json:"id"`
	Listen string `json:"listen"`
	Busy   bool   `json:"busy"`
	processFigures
	QPS int64 `json:"qps"`
}

// processFigures are gathered by a process on its event loop.
type processFigures struct {
	// Memory is the resident set size (VmRSS) in bytes on Linux, the Go
	// runtime's memory from the system elsewhere.
	Memory        int64  `json:"memory"`
	EventLoop     string `json:"event_loop"`
	Connections   int64  `json:"connections"`
	SendFails     uint64 `json:"send_fail"`
	Timers        int    `json:"timers"`
	TotalRequests uint64 `json:"total_request"`
	Panics        uint64 `json:"panics"`
	// LoopLag is how long a task waited in the loop's queue before it ran:
	// the time the gathering itself waited.
	LoopLag time.Duration `json:"event_loop_lag_ns"`
	// HTTP is the responses written by status class, 1xx to 5xx.
	HTTP [5]uint64 `json:"http_responses"`
}

// connectionStatus is one row of `connections`.
type connectionStatus struct {
	PID          int    `json:"pid"`
	Worker       string `json:"worker"`
	ID           uint64 `json:"id"`
	Transport    string `json:"transport"`
	Protocol     string `json:"protocol"`
	IPv4         bool   `json:"ipv4"`
	IPv6         bool   `json:"ipv6"`
	RecvQ        int    `json:"recv_q"`
	SendQ        int    `json:"send_q"`
	BytesRead    int64  `json:"bytes_read"`
	BytesWritten int64  `json:"bytes_written"`
	Status       string `json:"status"`
	Local        string `json:"local_address"`
	Remote       string `json:"remote_address"`
}

// askTimeout bounds how long a report waits for a process's figures: one
// whose event loop is held up longer by a callback shows as busy.
const askTimeout = 500 * time.Millisecond

// gatherFigures reads this process's figures on its event loop, so they are
// a consistent snapshot, waiting at most askTimeout for the loop to get to
// it; nil when it did not: the loop is busy.
func gatherFigures() *processFigures {
	got := make(chan processFigures, 1) // the loop never waits for a reader
	asked := time.Now()
	eventloop.Default().Post(func() {
		lag := time.Since(asked)
		s := connection.Stats()
		got <- processFigures{
			LoopLag:       lag,
			HTTP:          http.StatusCounts(),
			Memory:        memoryUsage(),
			EventLoop:     string(eventloop.Default().Backend()),
			Connections:   s.Connections,
			SendFails:     s.SendFails,
			Timers:        s.Timers,
			TotalRequests: s.TotalRequests,
			Panics:        s.Panics,
		}
	})
	t := time.NewTimer(askTimeout)
	defer t.Stop()
	select {
	case f := <-got:
		return &f
	case <-t.C:
		return nil
	}
}

// newReport begins the status report of a program started at start that
// runs ws: what it is and its workers, with none of their processes yet.
func newReport(start time.Time, daemon bool, ws []*Worker) *statusReport {
	r := &statusReport{
		At:          time.Now(),
		Daemon:      daemon,
		Version:     Version,
		GoVersion:   strings.TrimPrefix(runtime.Version(), "go"),
		OS:          osName(),
		Start:       start,
		LoadAverage: loadAverage(),
		Extensions:  extensionStatuses(),
	}
	for _, w := range ws {
		r.Workers = append(r.Workers, workerSummary{Name: w.DisplayName(), Listen: listenName(w), EventLoop: string(eventloop.DefaultBackend()), Count: w.Count, Exits: []exitCount{}})
	}
	return r
}

// addProcess adds ps, which serves the workers of r numbered wis, with its
// figures; nil figures, from a process that did not answer in time, show
// it as busy.
func (r *statusReport) addProcess(ps processStatus, f *processFigures, wis ...int) {
	ps.Busy = f == nil
	if f != nil {
		ps.processFigures = *f
		for _, wi := range wis {
			r.Workers[wi].EventLoop = f.EventLoop
		}
	}
	r.Processes = append(r.Processes, ps)
}

// loadAverage is the system's load average as status prints it.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "-, -, -"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "-, -, -"
	}
	return strings.Join(f[:3], ", ")
}

// gatherConnections lists every open connection of this process, accepted or
// dialled, on the event loop, in id order.
func gatherConnections(pid int) []connectionStatus {
	var out []connectionStatus
	eventloop.Default().Exec(func() {
		connection.Each(func(c *connection.TcpConnection) bool {
			out = append(out, describe(pid, c))
			return true
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// describe runs on the loop.
func describe(pid int, c *connection.TcpConnection) connectionStatus {
	proto := c.Transport()
	if p := c.Protocol(); p != nil {
		proto = protocols.Name(p)
	}
	return connectionStatus{
		PID:          pid,
		Worker:       c.WorkerName(),
		ID:           c.ID(),
		Transport:    c.Transport(),
		Protocol:     proto,
		IPv4:         c.IsIPv4(),
		IPv6:         c.IsIPv6(),
		RecvQ:        c.RecvBufferSize(),
		SendQ:        c.SendBufferSize(),
		BytesRead:    c.BytesRead(),
		BytesWritten: c.BytesWritten(),
		Status:       c.Status().String(),
		Local:        addrOrDash(c.LocalAddr()),
		Remote:       addrOrDash(c.RemoteAddr()),
	}
}

func addrOrDash(a interface{ String() string }) string {
	if a == nil {
		return "-"
	}
	if s := a.String(); s != "" {
		return s
	}
	return "-"
}

// computeQPS sets each process's requests per second since prev, the
// report before it (none: 0, as Workerman's first screen).
func (r *statusReport) computeQPS(prev *statusReport) {
	if prev == nil {
		return
	}
	secs := r.At.Sub(prev.At).Seconds()
	if secs <= 0 {
		return
	}
	before := make(map[int]processStatus, len(prev.Processes))
	for _, ps := range prev.Processes {
		before[ps.PID] = ps
	}
	for i := range r.Processes {
		ps := &r.Processes[i]
		b, ok := before[ps.PID]
		if !ok || ps.Busy || b.Busy || ps.TotalRequests < b.TotalRequests {
			continue
		}
		ps.QPS = int64(math.Round(float64(ps.TotalRequests-b.TotalRequests) / secs))
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func sortExits(es []exitCount) {
	sort.Slice(es, func(i, j int) bool { return es[i].Status < es[j].Status })
}
