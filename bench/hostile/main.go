// Command hostile plays the clients of docs/reliability.md against an HTTP
// server on this machine and says what they saw; bench/reliability.sh runs
// it and reads the server's memory meanwhile. Once it has said it, it keeps
// its connections as they are for a minute, or until it is stopped, so that
// the server can be measured with them.
//
//	hostile stallread -c 10 -hold 12s [-close] 127.0.0.1:8080
//	hostile pipeline -n 100000 -wait 2s 127.0.0.1:8080
//	hostile stallbody -c 20 -mib 9 -hold 4s 127.0.0.1:8080
//
// The modes:
//   - stallread: -c clients with a 4 KiB receive buffer ask for /big (with
//     -close, saying Connection: close) and read nothing for -hold.
//   - pipeline: one client writes -n GETs in one write (the last says
//     Connection: close), reads nothing for -wait, then reads and checks
//     that each response is the one of its request, in order.
//   - stallbody: -c clients each send -mib MiB of a body whose
//     Content-Length is 64 KiB more, then, once all have sent theirs, send
//     nothing for -hold; it counts the ones the server answered or closed.
//
// Only loopback addresses are accepted, and every attack is bounded by its
// counts and durations.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	nethttp "net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "hostile:", err)
		os.Exit(2)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return errors.New("want a mode: stallread, pipeline or stallbody")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	clients := fs.Int("c", 10, "clients (stallread, stallbody; at most 1000)")
	requests := fs.Int("n", 100000, "pipelined requests (pipeline; at most 1,000,000)")
	mib := fs.Int("mib", 9, "MiB of body each client sends (stallbody; at most 64)")
	hold := fs.Duration("hold", 10*time.Second, "how long the clients stay silent (stallread, stallbody; at most 2m)")
	wait := fs.Duration("wait", 2*time.Second, "how long the client reads nothing (pipeline; at most 2m)")
	closing := fs.Bool("close", false, "ask for Connection: close (stallread)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("want the server's address after the flags")
	}
	addr := fs.Arg(0)
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%q is not a loopback address and port", addr)
	}
	if *clients < 1 || *clients > 1000 || *requests < 1 || *requests > 1000000 || *mib < 1 || *mib > 64 ||
		*hold <= 0 || *hold > 2*time.Minute || *wait < 0 || *wait > 2*time.Minute {
		return errors.New("a count or duration is out of bounds (see -h)")
	}
	switch args[0] {
	case "stallread":
		return stallRead(addr, *clients, *hold, *closing)
	case "pipeline":
		return pipeline(addr, *requests, *wait)
	case "stallbody":
		return stallBody(addr, *clients, *mib<<20, *hold)
	}
	return fmt.Errorf("unknown mode %q: want stallread, pipeline or stallbody", args[0])
}

// report prints what the clients saw and keeps their connections for a
// minute, or until the process is stopped.
func report(format string, args ...any) {
	fmt.Printf(format+"\n", args...)
	time.Sleep(time.Minute)
}

func dial(addr string) (*net.TCPConn, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	return c.(*net.TCPConn), nil
}

func stallRead(addr string, clients int, hold time.Duration, closing bool) error {
	req, how := "GET /big HTTP/1.1\r\nHost: a\r\n\r\n", ""
	if closing {
		req, how = "GET /big HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", " (Connection: close)"
	}
	for range clients {
		c, err := dial(addr)
		if err != nil {
			return err
		}
		defer c.Close()
		c.SetReadBuffer(4 << 10)
		if _, err := io.WriteString(c, req); err != nil {
			return err
		}
	}
	time.Sleep(hold)
	report("%d clients asked for 20 MiB each%s and read none of it for %v", clients, how, hold)
	return nil
}

// silence is how long a reading client waits for a byte before it calls the
// connection hung.
const silence = 3 * time.Second

func pipeline(addr string, requests int, wait time.Duration) error {
	c, err := dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	var b strings.Builder
	for i := range requests - 1 {
		fmt.Fprintf(&b, "GET /%d HTTP/1.1\r\nHost: a\r\n\r\n", i)
	}
	fmt.Fprintf(&b, "GET /%d HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", requests-1)
	go io.WriteString(c, b.String()) // blocks while the server takes no more
	time.Sleep(wait)

	r := bufio.NewReaderSize(c, 64<<10)
	got, inOrder, end := 0, 0, ""
	for end == "" {
		c.SetReadDeadline(time.Now().Add(silence))
		_, err := r.Peek(1)
		var resp *nethttp.Response
		if err == nil {
			resp, err = nethttp.ReadResponse(r, nil)
		}
		if err == nil {
			var body []byte
			body, err = io.ReadAll(resp.Body)
			if err == nil {
				if string(body) == fmt.Sprintf("/%d", got) && inOrder == got {
					inOrder++
				}
				got++
				continue
			}
		}
		switch {
		case errors.Is(err, io.EOF):
			end = "then the server closed"
		case errors.Is(err, os.ErrDeadlineExceeded):
			end = fmt.Sprintf("then nothing for %v: hung", silence)
		default:
			end = "then " + err.Error()
		}
	}
	report("%d of %d responses, the first %d in order, %s", got, requests, inOrder, end)
	return nil
}

func stallBody(addr string, clients, size int, hold time.Duration) error {
	req := append([]byte(fmt.Sprintf("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: %d\r\n\r\n", size+64<<10)),
		make([]byte, size)...)
	conns := make([]*net.TCPConn, clients)
	outcome := make([]string, clients)
	var wg sync.WaitGroup
	for i := range conns {
		c, err := dial(addr)
		if err != nil {
			return err
		}
		defer c.Close()
		conns[i] = c
		wg.Go(func() {
			c.SetWriteDeadline(time.Now().Add(time.Minute))
			if _, err := c.Write(req); errors.Is(err, os.ErrDeadlineExceeded) {
				outcome[i] = "still sending after a minute"
			} else if err != nil {
				outcome[i] = "closed while sending"
			}
		})
	}
	wg.Wait()
	// The server may still be reading what the kernels hold: the silence
	// counts from here.
	end := time.Now().Add(hold)
	for i, c := range conns {
		if outcome[i] == "" {
			wg.Go(func() { outcome[i] = await(c, end) })
		}
	}
	wg.Wait()
	count := map[string]int{}
	for _, o := range outcome {
		count[o]++
	}
	var parts []string
	for o, n := range count {
		parts = append(parts, fmt.Sprintf("%s %d", o, n))
	}
	sort.Strings(parts)
	report("%d clients sent %d MiB each: %s", clients, size>>20, strings.Join(parts, ", "))
	return nil
}

// await waits until end for the server to answer on c or close it, and
// says which.
func await(c *net.TCPConn, end time.Time) string {
	c.SetReadDeadline(end)
	line, err := bufio.NewReader(c).ReadString('\n')
	switch {
	case line != "":
		return "answered " + strings.TrimSpace(line)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return "still open"
	}
	return "closed"
}
