package worker

import (
	"fmt"
	"math"
	"os/user"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/workerman-go/workerman/internal/eventloop"
)

// The tables below keep Workerman's layouts to the column, so that people
// and scripts used to Workerman read them the same way.

const (
	minColumn = 8 // Workerman's 2 × UI_SAFE_LENGTH
	columnGap = 4 // Workerman's UI_SAFE_LENGTH

	globalRule  = "---------------------------------------------------GLOBAL STATUS---------------------------------------------------------"
	processRule = "---------------------------------------------------PROCESS STATUS--------------------------------------------------------"
)

func pad(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return s + strings.Repeat(" ", n-len(s))
}

// rule centres title in a line of dashes width long.
func rule(title string, width int) string {
	left := (width - len(title)) / 2
	right := width - len(title) - left
	return strings.Repeat("-", max(left, 0)) + title + strings.Repeat("-", max(right, 0))
}

// versionLine is the second line of the banner and of status.
func versionLine(osName string) string {
	return pad("Workerman-Go/"+Version, 24) + pad("Go/"+strings.TrimPrefix(runtime.Version(), "go"), 30) + osName + "\n"
}

// listenName is what tables show for a worker's socket.
func listenName(w *Worker) string {
	if w.SocketName() == "" {
		return "none"
	}
	return w.SocketName()
}

func userName(w *Worker) string {
	if w.User != "" {
		return w.User
	}
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return "-"
}

// banner is the table start prints: one row per worker.
func banner(ws []*Worker) string {
	titles := []string{"event-loop", "proto", "user", "worker", "listen", "count", "state"}
	rows := make([][]string, len(ws))
	for i, w := range ws {
		proto := w.Transport
		if proto == "" {
			proto = "tcp"
		}
		rows[i] = []string{string(eventloop.DefaultBackend()), proto, userName(w), w.DisplayName(), listenName(w), strconv.Itoa(max(w.Count, 1)), " [OK]"}
	}
	widths := make([]int, len(titles))
	total := 0
	for c := range titles {
		longest := 0
		for _, r := range rows {
			longest = max(longest, len(r[c]))
		}
		if c == len(titles)-1 {
			longest = len("<g> [OK] </g>") // Workerman measures the state with its colour tags
		}
		widths[c] = max(minColumn, longest) + columnGap
		total += widths[c]
	}
	var b strings.Builder
	b.WriteString(rule(" WORKERMAN ", total) + "\n")
	b.WriteString(versionLine(osName()))
	b.WriteString(rule(" WORKERS ", total) + "\n")
	line := func(cells []string) {
		for c, s := range cells {
			b.WriteString(pad(s, widths[c]))
		}
		b.WriteString("\n")
	}
	line(titles)
	for _, r := range rows {
		line(r)
	}
	b.WriteString(strings.Repeat("-", total) + "\n")
	return b.String()
}

// megabytes formats bytes as Workerman formats memory: MB rounded to 2
// decimals, with no trailing zeros.
func megabytes(b int64) string {
	return strconv.FormatFloat(math.Round(float64(b)/(1<<20)*100)/100, 'f', -1, 64) + "M"
}

// format renders the report as Workerman's status screen.
func (r *statusReport) format() string {
	sw, nw := minColumn, minColumn
	for _, w := range r.Workers {
		sw = max(sw, len(w.Listen))
		nw = max(nw, len(w.Name))
	}
	var b strings.Builder
	if r.Daemon {
		b.WriteString("Start worker in DAEMON mode.\n")
	} else {
		b.WriteString("Start worker in DEBUG mode.\n")
	}
	b.WriteString(globalRule + "\n")
	b.WriteString(versionLine(r.OS))
	up := r.At.Sub(r.Start)
	fmt.Fprintf(&b, "start time:%s   run %d days %d hours   load average: %s\n",
		r.Start.Format(time.DateTime), int(up/(24*time.Hour)), int(up%(24*time.Hour)/time.Hour), r.LoadAverage)
	fmt.Fprintf(&b, "%d workers    %d processes\n", len(r.Workers), len(r.Processes))
	b.WriteString(pad("name", nw) + "     event-loop     exit_status     exit_count\n")
	for _, w := range r.Workers {
		exits := w.Exits
		if len(exits) == 0 {
			exits = []exitCount{{}}
		}
		for _, e := range exits {
			b.WriteString(pad(w.Name, nw) + "     " + pad(w.EventLoop, 14) + " " + pad(strconv.Itoa(e.Status), 16) + pad(strconv.Itoa(e.Count), 16) + "\n")
		}
	}
	b.WriteString(processRule + "\n")
	b.WriteString("pid\tmemory  " + pad("listening", sw) + " " + pad("name", nw) + " connections " + pad("send_fail", 9) + " " + pad("timers", 8) + pad("total_request", 13) + " qps    status\n")
	var mem int64
	var conns, timers, qps int64
	var fails, reqs uint64
	ps := append([]processStatus(nil), r.Processes...)
	sort.Slice(ps, func(i, j int) bool { return ps[i].PID < ps[j].PID })
	for _, p := range ps {
		head := strconv.Itoa(p.PID) + "\t"
		if p.Busy {
			b.WriteString(head + pad("N/A", 7) + " " + pad(p.Listen, sw) + " " + pad(p.Worker, nw) + " " + pad("N/A", 11) + " " + pad("N/A", 9) + " " + pad("N/A", 7) + " " + pad("N/A", 13) + " N/A    [busy] \n")
			continue
		}
		mem += p.Memory
		conns += p.Connections
		fails += p.SendFails
		timers += int64(p.Timers)
		reqs += p.TotalRequests
		qps += p.QPS
		b.WriteString(head + pad(megabytes(p.Memory), 7) + " " + pad(p.Listen, sw) + " " + pad(p.Worker, nw) + " " +
			pad(strconv.FormatInt(p.Connections, 10), 11) + " " + pad(strconv.FormatUint(p.SendFails, 10), 9) + " " +
			pad(strconv.Itoa(p.Timers), 7) + " " + pad(strconv.FormatUint(p.TotalRequests, 10), 13) + " " +
			pad(strconv.FormatInt(p.QPS, 10), 6) + " [idle]\n")
	}
	b.WriteString(processRule + "\n")
	b.WriteString("Summary\t" + pad(megabytes(mem), 7) + " " + pad("-", sw) + " " + pad("-", nw) + " " +
		pad(strconv.FormatInt(conns, 10), 11) + " " + pad(strconv.FormatUint(fails, 10), 9) + " " +
		pad(strconv.FormatInt(timers, 10), 7) + " " + pad(strconv.FormatUint(reqs, 10), 13) + " " +
		pad(strconv.FormatInt(qps, 10), 6) + " [Summary] \n")
	b.WriteString(formatExtensions(r.Extensions))
	return b.String()
}

const (
	connectionsRule   = "--------------------------------------------------------------------- WORKERMAN CONNECTION STATUS --------------------------------------------------------------------------------"
	connectionsHeader = "PID      Worker          CID       Trans   Protocol        ipv4   ipv6   Recv-Q       Send-Q       Bytes-R      Bytes-W       Status         Local Address          Foreign Address"
)

// formatConnections renders Workerman's connection table.
func formatConnections(cs []connectionStatus) string {
	var b strings.Builder
	b.WriteString(connectionsRule + "\n" + connectionsHeader + "\n")
	for _, c := range cs {
		b.WriteString(pad(strconv.Itoa(c.PID), 9) + pad(shorten(c.Worker, 14), 16) + pad(strconv.FormatUint(c.ID, 10), 10) +
			pad(c.Transport, 8) + pad(shorten(c.Protocol, 15), 16) + pad(flag(c.IPv4), 7) + pad(flag(c.IPv6), 7) +
			pad(byteSize(int64(c.RecvQ)), 13) + pad(byteSize(int64(c.SendQ)), 13) + pad(byteSize(c.BytesRead), 13) +
			pad(byteSize(c.BytesWritten), 13) + " " + pad(c.Status, 14) + " " + pad(c.Local, 22) + " " + pad(c.Remote, 22) + "\n")
	}
	return b.String()
}

// shorten cuts s to max bytes, ending in "..", as Workerman does.
func shorten(s string, limit int) string {
	if len(s) > limit {
		return s[:limit-2] + ".."
	}
	return s
}

func flag(b bool) string {
	if b {
		return " 1"
	}
	return " 0"
}

// byteSize is Workerman's size format: B, or KB..TB with one decimal once
// the value passes the unit.
func byteSize(n int64) string {
	units := []string{"TB", "GB", "MB", "KB"}
	for i, u := range units {
		unit := float64(int64(1) << (10 * (len(units) - i)))
		if float64(n) > unit {
			return strconv.FormatFloat(math.Round(float64(n)/unit*10)/10, 'f', -1, 64) + u
		}
	}
	return strconv.FormatInt(n, 10) + "B"
}
