package connection_test

import (
	"fmt"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/internal/nettest"
	"github.com/workerman-go/workerman/worker"
)

// A client reaches its server through a SOCKS5 proxy that asks for a user
// name and password (here a small proxy on loopback). What it sends before
// the tunnel is up waits, as it does before any connect.
func ExampleAsyncTcpConnection_ProxySocks5() {
	proxy, err := nettest.NewProxy("ann", "s3cret")
	if err != nil {
		panic(err)
	}
	defer proxy.Close()
	w := worker.New("text://127.0.0.1:0")
	w.OnMessage = func(c *connection.TcpConnection, data any) { c.Send("echo: " + data.(string)) }
	g, err := worker.Start(w)
	if err != nil {
		panic(err)
	}
	defer g.Stop()

	got := make(chan any, 1)
	c, _ := connection.NewAsync("text://" + w.Addr().String())
	c.ProxySocks5(proxy.Addr()) // or c.ProxyHTTP for an HTTP CONNECT proxy
	c.SetProxyAuth("ann", "s3cret")
	c.OnMessage = func(_ *connection.TcpConnection, data any) { got <- data }
	c.Send("hello")
	c.Connect()
	fmt.Println(<-got)
	fmt.Println("tunnels opened by the proxy:", proxy.Tunnels())
	c.Destroy()
	// Output:
	// echo: hello
	// tunnels opened by the proxy: 1
}
