package cluster_test

import (
	"bufio"
	"fmt"
	"net"

	"github.com/workerman-go/workerman/cluster"
	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/worker"
)

// Publish and Subscribe: the callback runs on the process's event loop. In
// a run without a master (worker.Start, as here) the NATS server runs in
// this process.
func Example_publish() {
	w := worker.New("text://127.0.0.1:0")
	g, err := worker.Start(w)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer g.Stop()
	got := make(chan string, 1)
	if _, err := cluster.Subscribe("news.sport", func(m *cluster.Msg) {
		got <- m.Subject + ": " + string(m.Data)
	}); err != nil {
		fmt.Println(err)
		return
	}
	cluster.Publish("news.sport", []byte("3:1"))
	fmt.Println(<-got)
	fmt.Println(cluster.Publish("news.*", nil))
	// Output:
	// news.sport: 3:1
	// cluster: bad name: subject token "*" holds '*'
}

// BindUid and SendToUid: the message reaches every connection bound to the
// uid, in whatever process, encoded by its protocol (here a text line).
func Example_sendToUid() {
	w := worker.New("text://127.0.0.1:0")
	w.OnMessage = func(c *connection.TcpConnection, data any) {
		if err := cluster.BindUid(c, data.(string)); err != nil {
			c.Send(err.Error())
			return
		}
		cluster.UidCount("alice", func(n int, err error) { c.Send(fmt.Sprint("alice has ", n)) })
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
	r := bufio.NewReader(conn)
	line := func() string { s, _ := r.ReadString('\n'); return s }

	fmt.Fprint(conn, "alice\n")
	fmt.Print(line())
	cluster.SendToUid("alice", "hello alice")
	fmt.Print(line())
	fmt.Fprint(conn, "no body\n")
	fmt.Print(line())
	// Output:
	// alice has 1
	// hello alice
	// cluster: bad name: uid "no body" holds whitespace or a control character
}
