package http_test

import (
	"fmt"
	"io"
	nethttp "net/http"
	"time"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/protocols/http"
	"github.com/workerman-go/workerman/worker"
)

// A worker that greets by the query's name, with a header timeout of its own.
func Example() {
	w := worker.New("http://127.0.0.1:0")
	w.Protocol = &http.Protocol{HeaderTimeout: 5 * time.Second}
	w.OnMessage = func(c *connection.TcpConnection, data any) {
		req := data.(*http.Request)
		c.Send(http.NewResponse(200, http.Header{"Content-Type": "text/plain"}, "hello "+req.Get("name")))
	}
	g, err := worker.Start(w)
	if err != nil {
		panic(err)
	}
	defer g.Stop()

	resp, err := nethttp.Get("http://" + w.Addr().String() + "/?name=gopher")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Status, string(body))
	// Output: 200 OK hello gopher
}
