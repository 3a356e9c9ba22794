// Command tlsidle measures what an idle TLS connection costs a server: it
// reads the RSS of the server's process tree, opens -c TLS connections on
// loopback, sends one request on each (a plain GET, or one that asks for
// text/event-stream with -sse) and reads the response head, waits -settle,
// and reads the RSS again. It prints one line: connections, RSS before and
// after, the difference per connection, and how many connections it opened
// a second (one at a time: handshake, request, response head).
//
//	tlsidle -c 2000 -pid 1234 -sse https://127.0.0.1:18600/
package main

import (
	"bufio"
	"crypto/tls"
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	n := flag.Int("c", 2000, "connections (at most 20000)")
	pid := flag.Int("pid", 0, "the server's pid (its children are counted too)")
	sse := flag.Bool("sse", false, "ask for text/event-stream")
	settle := flag.Duration("settle", 3*time.Second, "wait before the second reading")
	flag.Parse()
	u, err := url.Parse(flag.Arg(0))
	if err != nil || u.Scheme != "https" || !strings.HasPrefix(u.Host, "127.") || *n < 1 || *n > 20000 || *pid == 0 {
		log.Fatal("usage: tlsidle -c N -pid PID [-sse] https://127.x.x.x:PORT/")
	}
	req := "GET " + u.Path + " HTTP/1.1\r\nHost: " + u.Host + "\r\n"
	if *sse {
		req += "Accept: text/event-stream\r\n"
	}
	req += "\r\n"
	before := rss(*pid)
	conf := &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"http/1.1"}}
	conns := make([]*tls.Conn, 0, *n)
	start := time.Now()
	for range *n {
		c, err := tls.Dial("tcp", u.Host, conf)
		if err != nil {
			log.Fatalf("after %d connections: %v", len(conns), err)
		}
		c.SetDeadline(time.Now().Add(30 * time.Second))
		if _, err := c.Write([]byte(req)); err != nil {
			log.Fatal(err)
		}
		r := bufio.NewReader(c)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				log.Fatalf("response head: %v", err)
			}
			if line == "\r\n" {
				break
			}
		}
		c.SetDeadline(time.Time{})
		conns = append(conns, c)
	}
	opened := time.Since(start)
	time.Sleep(*settle)
	after := rss(*pid)
	fmt.Printf("%d connections: server RSS %.1f MB before, %.1f MB after: %.1f KB per connection; %.0f handshakes/s, one at a time with its first request\n",
		len(conns), float64(before)/1e6, float64(after)/1e6, float64(after-before)/1e3/float64(len(conns)), float64(len(conns))/opened.Seconds())
	for _, c := range conns {
		c.Close()
	}
}

// rss is the resident memory of pid and its descendants, in bytes.
func rss(pid int) int64 {
	var total int64
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		log.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			total += kb << 10
		}
	}
	tasks, _ := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
	for _, t := range tasks {
		kids, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/task/" + t.Name() + "/children")
		for _, k := range strings.Fields(string(kids)) {
			if kid, err := strconv.Atoi(k); err == nil {
				total += rss(kid)
			}
		}
	}
	return total
}
