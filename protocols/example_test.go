package protocols_test

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/protocols"
	"github.com/workerman-go/workerman/worker"
)

// netstring frames each message as its decimal length, a colon, the bytes
// and a comma: "5:hello,". It keeps no state, so one value serves every
// connection.
type netstring struct{}

// maxDigits bounds the length prefix, so that Input rejects a runaway
// number instead of waiting for a colon forever.
const maxDigits = 9

func (netstring) Input(buf []byte, c protocols.Conn) (int, error) {
	colon := -1
	for i, b := range buf {
		if b == ':' {
			colon = i
			break
		}
		if b < '0' || b > '9' || i >= maxDigits {
			return 0, errors.New("netstring: bad length prefix")
		}
	}
	if colon < 0 {
		return 0, nil // the length is not complete yet
	}
	n, err := strconv.Atoi(string(buf[:colon]))
	if err != nil {
		return 0, fmt.Errorf("netstring: %w", err)
	}
	total := colon + 1 + n + 1
	if total > c.PackageLimit() {
		return 0, fmt.Errorf("netstring: %d bytes exceed the package limit", total)
	}
	if len(buf) >= total && buf[total-1] != ',' {
		return 0, errors.New("netstring: missing comma")
	}
	return total, nil
}

func (netstring) Decode(pkg []byte, _ protocols.Conn) (any, error) {
	colon := strings.IndexByte(string(pkg), ':')
	return string(pkg[colon+1 : len(pkg)-1]), nil
}

func (netstring) Encode(dst []byte, v any, _ protocols.Conn) ([]byte, error) {
	s, ok := v.(string)
	if !ok {
		return dst, fmt.Errorf("netstring: cannot encode %T", v)
	}
	dst = strconv.AppendInt(dst, int64(len(s)), 10)
	dst = append(dst, ':')
	dst = append(dst, s...)
	return append(dst, ','), nil
}

// A protocol of your own: register it under a scheme, and a worker made with
// that scheme frames, decodes and encodes with it.
func Example() {
	if err := protocols.Register("netstring", netstring{}); err != nil {
		fmt.Println(err)
		return
	}
	w := worker.New("netstring://127.0.0.1:0")
	w.OnMessage = func(c *connection.TcpConnection, data any) {
		c.Send(strings.ToUpper(data.(string)))
	}
	g, err := worker.Start(w)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer g.Stop()

	conn, err := net.Dial("tcp", w.Addr().String())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	// Two messages in one write, the second split across two writes.
	fmt.Fprint(conn, "5:hello,11:hel")
	fmt.Fprint(conn, "lo world,")
	r := bufio.NewReader(conn)
	for range 2 {
		reply, err := r.ReadString(',')
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(reply)
	}
	// Output:
	// 5:HELLO,
	// 11:HELLO WORLD,
}
