package http_test

import (
	"encoding/json"
	"fmt"
	"io"
	nethttp "net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
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

// A query with PHP arrays, read as Workerman's get() returns it.
func ExampleRequest_QueryArray() {
	w := worker.New("http://127.0.0.1:0")
	w.OnMessage = func(c *connection.TcpConnection, data any) {
		b, _ := json.Marshal(data.(*http.Request).QueryArray())
		c.Send(b)
	}
	g, err := worker.Start(w)
	if err != nil {
		panic(err)
	}
	defer g.Stop()

	resp, err := nethttp.Get("http://" + w.Addr().String() + "/?tag[]=go&tag[]=php&user[name]=ann&user[langs][]=go")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(string(body))
	// Output: {"tag":["go","php"],"user":{"langs":["go"],"name":"ann"}}
}

// Logging in: the session gets a fresh id, so that an id planted in the
// browser beforehand names nothing afterwards.
func ExampleRequest_SessionRegenerateID() {
	cfg := http.NewSessionConfig()
	dir, _ := os.MkdirTemp("", "sessions")
	defer os.RemoveAll(dir)
	cfg.SavePath = dir
	w := worker.New("http://127.0.0.1:0")
	w.Protocol = &http.Protocol{Session: cfg}
	w.OnMessage = func(c *connection.TcpConnection, data any) {
		req := data.(*http.Request)
		if req.Path() == "/login" {
			req.Session().Set("user", "ann")
			if _, err := req.SessionRegenerateID(); err != nil {
				c.Send("login failed: " + err.Error())
				return
			}
		}
		c.Send(fmt.Sprint("user: ", req.Session().Get("user")))
	}
	g, err := worker.Start(w)
	if err != nil {
		panic(err)
	}
	defer g.Stop()

	jar, _ := cookiejar.New(nil)
	browser := &nethttp.Client{Jar: jar}
	base := "http://" + w.Addr().String()
	var ids []string
	for _, path := range []string{"/", "/login", "/"} {
		resp, err := browser.Get(base + path)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		u, _ := url.Parse(base)
		id := jar.Cookies(u)[0].Value
		fmt.Printf("%s: %s (new id: %v)\n", path, body, len(ids) == 0 || id != ids[len(ids)-1])
		ids = append(ids, id)
	}
	// Output:
	// /: user: <nil> (new id: true)
	// /login: user: ann (new id: true)
	// /: user: ann (new id: false)
}
