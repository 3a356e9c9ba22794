package connection_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/timer"
	"github.com/workerman-go/workerman/worker"
)

// startAndDial starts w in this process and dials it; stop undoes both.
func startAndDial(w *worker.Worker) (conn net.Conn, stop func()) {
	g, err := worker.Start(w)
	if err != nil {
		panic(err)
	}
	conn, err = net.Dial("tcp", w.Addr().String())
	if err != nil {
		g.Stop()
		panic(err)
	}
	return conn, func() { conn.Close(); g.Stop() }
}

// Send is safe from any goroutine: blocking work runs off the loop and
// sends its result when it is done; the loop writes it.
func ExampleTcpConnection_Send() {
	w := worker.New("text://127.0.0.1:0")
	w.OnMessage = func(c *connection.TcpConnection, data any) {
		query := data.(string)
		go func() {
			time.Sleep(10 * time.Millisecond) // a slow lookup, off the loop
			c.Send("result for " + query)
		}()
	}
	conn, stop := startAndDial(w)
	defer stop()

	fmt.Fprint(conn, "weather\n")
	reply, _ := bufio.NewReader(conn).ReadString('\n')
	fmt.Print(reply)
	// Output: result for weather
}

// Close sends a last message, then closes once it is written: the client
// reads the goodbye, then the end of the stream. OnClose runs once.
func ExampleTcpConnection_Close() {
	closed := make(chan string, 1)
	w := worker.New("text://127.0.0.1:0")
	w.OnMessage = func(c *connection.TcpConnection, data any) {
		if data == "quit" {
			c.Close("bye")
			return
		}
		c.Send("you said " + data.(string))
	}
	w.OnClose = func(c *connection.TcpConnection) { closed <- c.Status().String() }
	conn, stop := startAndDial(w)
	defer stop()

	fmt.Fprint(conn, "hello\nquit\n")
	all, err := io.ReadAll(conn) // until the server closes
	fmt.Printf("%q %v\n", all, err)
	fmt.Println("status in OnClose:", <-closed)
	// Output:
	// "you said hello\nbye\n" <nil>
	// status in OnClose: CLOSED
}

// A timer pushes to a client until the client is gone; the timer checks the
// connection's status and deletes itself.
func Example_timerPush() {
	stopped := make(chan connection.Status, 1)
	w := worker.New("text://127.0.0.1:0")
	w.OnConnect = func(c *connection.TcpConnection) {
		n := 0
		var id timer.ID
		id = timer.Add(5*time.Millisecond, func() {
			if st := c.Status(); st != connection.StatusEstablished {
				timer.Del(id)
				stopped <- st
				return
			}
			n++
			c.Send(fmt.Sprintf("tick %d", n))
		})
	}
	conn, stop := startAndDial(w)
	defer stop()

	r := bufio.NewReader(conn)
	for range 3 {
		line, _ := r.ReadString('\n')
		fmt.Println(strings.TrimSpace(line))
	}
	conn.Close() // the client goes; the server sees it on its next read
	fmt.Println("timer deleted, connection", <-stopped)
	// Output:
	// tick 1
	// tick 2
	// tick 3
	// timer deleted, connection CLOSED
}

// A client connection: dial a text server from the loop, send before the
// connection is even up, and read the reply in OnMessage.
func ExampleNewAsync() {
	server := worker.New("text://127.0.0.1:0")
	server.OnMessage = func(c *connection.TcpConnection, data any) {
		c.Send("hello, " + data.(string))
	}
	g, err := worker.Start(server)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer g.Stop()

	replies := make(chan string, 1)
	c, err := connection.NewAsync("text://" + server.Addr().String())
	if err != nil {
		fmt.Println(err)
		return
	}
	c.OnMessage = func(c *connection.TcpConnection, data any) {
		replies <- data.(string)
		c.Close()
	}
	c.Send("client") // kept until the connection is established
	c.Connect()
	fmt.Println(<-replies)
	// Output: hello, client
}

// A UDP worker answers each datagram through the UdpConnection of its sender.
func ExampleUdpConnection() {
	w := worker.New("udp://127.0.0.1:0")
	w.OnUdpMessage = func(c *connection.UdpConnection, data any) {
		c.Send("received: " + string(data.([]byte)))
	}
	g, err := worker.Start(w)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer g.Stop()

	conn, err := net.Dial("udp", w.Addr().String())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	conn.Write([]byte("xiami"))
	buf := make([]byte, 64)
	n, err := conn.Read(buf)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(buf[:n]))
	// Output: received: xiami
}

// A proxy: each client connection is piped to a backend connection and back,
// with back-pressure both ways; the backend closing closes the client.
func ExampleTcpConnection_Pipe() {
	backend := worker.New("text://127.0.0.1:0")
	backend.OnMessage = func(c *connection.TcpConnection, data any) { c.Close("backend got " + data.(string)) }
	g, err := worker.Start(backend)
	if err != nil {
		panic(err)
	}
	defer g.Stop()

	proxy := worker.New("tcp://127.0.0.1:0")
	proxy.OnConnect = func(c *connection.TcpConnection) {
		b, err := connection.NewAsync("tcp://" + backend.Addr().String())
		if err != nil {
			c.Close()
			return
		}
		c.Pipe(&b.TcpConnection)
		b.Pipe(c)
		b.Connect()
	}
	conn, stop := startAndDial(proxy)
	defer stop()

	fmt.Fprint(conn, "hello\n")
	all, err := io.ReadAll(conn)
	fmt.Printf("%q %v\n", all, err)
	// Output: "backend got hello\n" <nil>
}

// A UDP client asks a udp:// worker and closes on the answer.
func ExampleAsyncUdpConnection() {
	server := worker.New("text://127.0.0.1:0")
	server.Transport = "udp"
	server.OnUdpMessage = func(c *connection.UdpConnection, data any) { c.Send("pong to " + data.(string)) }
	g, err := worker.Start(server)
	if err != nil {
		panic(err)
	}
	defer g.Stop()

	c, err := connection.NewAsyncUdp("text://" + server.Addr().String())
	if err != nil {
		panic(err)
	}
	answer := make(chan string, 1)
	c.OnMessage = func(c *connection.AsyncUdpConnection, data any) { answer <- data.(string); c.Close() }
	closed := make(chan struct{})
	c.OnClose = func(*connection.AsyncUdpConnection) { close(closed) }
	c.Send("ping")
	fmt.Println(<-answer)
	<-closed
	// Output: pong to ping
}
