package worker_test

import (
	"bufio"
	"fmt"
	"io"
	"net"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/worker"
)

// A text-protocol echo server: every line is one message. worker.Start serves
// it in this process (tests, examples); a program calls worker.RunAll instead.
func Example() {
	w := worker.New("text://127.0.0.1:0")
	w.OnMessage = func(c *connection.TcpConnection, data any) {
		c.Send("echo: " + data.(string))
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
	fmt.Fprint(conn, "hello\nworld\n")
	r := bufio.NewReader(conn)
	for range 2 {
		line, _ := r.ReadString('\n')
		fmt.Print(line)
	}
	// Output:
	// echo: hello
	// echo: world
}

// The frame protocol: a 4-byte big-endian total length, then the payload.
func Example_frame() {
	w := worker.New("frame://127.0.0.1:0")
	w.OnMessage = func(c *connection.TcpConnection, data any) {
		c.Send("got " + data.(string))
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
	conn.Write([]byte("\x00\x00\x00\x09jhdxr"))
	reply := make([]byte, 4+len("got jhdxr"))
	if _, err := io.ReadFull(conn, reply); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%q\n", reply)
	// Output: "\x00\x00\x00\rgot jhdxr"
}

// Raw tcp has no protocol: OnMessage gets each read as a []byte that is
// valid only during the callback. Send copies it into the send buffer.
func Example_rawTCP() {
	w := worker.New("tcp://127.0.0.1:0")
	w.OnMessage = func(c *connection.TcpConnection, data any) {
		c.Send(data)
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
	conn.Write([]byte("any bytes at all"))
	reply := make([]byte, len("any bytes at all"))
	if _, err := io.ReadFull(conn, reply); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s\n", reply)
	// Output: any bytes at all
}
