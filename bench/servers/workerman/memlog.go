package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"

	"github.com/workerman-go/workerman/bench/internal/benchenv"
	"github.com/workerman-go/workerman/timer"
	"github.com/workerman-go/workerman/worker"
)

// memClasses are the runtime's memory classes, which together make its
// total, and the collector's goal for the heap.
var memClasses = []string{
	"/memory/classes/heap/objects:bytes",
	"/memory/classes/heap/unused:bytes",
	"/memory/classes/heap/free:bytes",
	"/memory/classes/heap/released:bytes",
	"/memory/classes/heap/stacks:bytes",
	"/memory/classes/os-stacks:bytes",
	"/memory/classes/metadata/mspan/inuse:bytes",
	"/memory/classes/metadata/mspan/free:bytes",
	"/memory/classes/metadata/mcache/inuse:bytes",
	"/memory/classes/metadata/mcache/free:bytes",
	"/memory/classes/metadata/other:bytes",
	"/memory/classes/profiling/buckets:bytes",
	"/memory/classes/other:bytes",
	"/memory/classes/total:bytes",
	"/gc/heap/goal:bytes",
	"/gc/cycles/total:gc-cycles",
}

// procFields are what /proc/self reads beside them: resident memory, and
// how much of it is anonymous (the heap, stacks, metadata); the rest is
// pages of files.
var procFields = []struct{ file, field string }{
	{"status", "VmRSS:"},
	{"smaps_rollup", "Anonymous:"},
	{"smaps_rollup", "Rss:"},
}

// memLog, with WM_MEMLOG=FILE, writes to FILE.<pid> a reading of the
// runtime's memory classes and the process's resident memory when the worker
// starts and then every WM_MEMLOG_EVERY (1s), each with the number of open
// connections and, from the second reading on, each figure's growth since
// the first per connection: where an idle stream's bytes are.
func memLog(w *worker.Worker) {
	path := os.Getenv("WM_MEMLOG")
	if path == "" {
		return
	}
	f, err := os.Create(fmt.Sprintf("%s.%d", path, os.Getpid()))
	if err != nil {
		panic(err)
	}
	start := time.Now()
	samples := make([]metrics.Sample, len(memClasses))
	for i, name := range memClasses {
		samples[i].Name = name
	}
	names := append(append([]string{}, memClasses...), "VmRSS", "smaps Anonymous", "smaps Rss", "smaps Rss - Anonymous")
	var first []int64
	read := func() {
		metrics.Read(samples)
		v := make([]int64, 0, len(samples)+len(procFields))
		for _, s := range samples {
			v = append(v, int64(s.Value.Uint64()))
		}
		for _, p := range procFields {
			v = append(v, procKB(p.file, p.field)<<10)
		}
		v = append(v, v[len(v)-1]-v[len(v)-2]) // pages of files: the binary's code and data
		conns := len(w.Connections())
		fmt.Fprintf(f, "t=%.1fs connections=%d\n", time.Since(start).Seconds(), conns)
		for i, x := range v {
			line := fmt.Sprintf("  %-45s %12d", names[i], x)
			if first != nil && conns > 0 {
				line += fmt.Sprintf(" %+9.1f B/conn", float64(x-first[i])/float64(conns))
			}
			fmt.Fprintln(f, line)
		}
		if first == nil {
			first = v
		}
	}
	read()
	timer.Add(benchenv.Duration("WM_MEMLOG_EVERY", time.Second), read)
}

// procKB is a kB field of /proc/self/FILE, or -1 when it has none.
func procKB(file, field string) int64 {
	f, err := os.Open("/proc/self/" + file)
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err == nil {
				return n
			}
		}
	}
	return -1
}
