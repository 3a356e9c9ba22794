package http_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	nethttp "net/http"
	"strings"
	"testing"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/internal/nettest"
	"github.com/workerman-go/workerman/protocols/http"
)

func TestQueryArrayReadsNamesAsPHPDoes(t *testing.T) {
	addr := serveHTTP(t, nil, func(c *connection.TcpConnection, r *http.Request) {
		b, err := json.Marshal(r.QueryArray())
		if err != nil {
			c.Send(err.Error())
			return
		}
		c.Send(b)
	})
	client := &nethttp.Client{Timeout: nettest.Timeout}
	cases := []struct{ name, query, want string }{
		{"plain pairs", "a=1&b=x+y", `{"a":"1","b":"x y"}`},
		{"a list", "a[]=1&a[]=2", `{"a":["1","2"]}`},
		{"a map", "a[x]=1&a[y]=2", `{"a":{"x":"1","y":"2"}}`},
		{"nested lists and maps", "a[x][]=1&a[x][]=2&a[y][z]=3", `{"a":{"x":["1","2"],"y":{"z":"3"}}}`},
		{"a list of maps", "u[0][n]=ann&u[1][n]=bob", `{"u":[{"n":"ann"},{"n":"bob"}]}`},
		{"explicit and appended indices", "a[5]=x&a[]=y", `{"a":{"5":"x","6":"y"}}`},
		{"a non-canonical number is a string key", "a[0]=x&a[01]=y", `{"a":{"0":"x","01":"y"}}`},
		{"a later pair replaces", "a=1&a=2", `{"a":"2"}`},
		{"an array replaces a string", "a=1&a[]=2", `{"a":["2"]}`},
		{"a string replaces an array", "a[]=1&a=2", `{"a":"2"}`},
		{"encoded brackets", "a%5B%5D=1&a%5B%5D=2", `{"a":["1","2"]}`},
		{"dots and spaces in the base name", "a.b=1&c+d=2&e.f[g.h]=3", `{"a_b":"1","c_d":"2","e_f":{"g.h":"3"}}`},
		{"an unclosed bracket", "a[b=1", `{"a_b":"1"}`},
		{"an unclosed bracket deeper", "a[b][c=1", `{"a":{"b":"1"}}`},
		{"text after a bracket", "a[b]c=1", `{"a":{"b":"1"}}`},
		{"no base name", "[x]=1&=2&b=3", `{"b":"3"}`},
		{"no value", "a&b[]", `{"a":"","b":[""]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := client.Get("http://" + addr + "/?" + tc.query)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(b) != tc.want {
				t.Fatalf("%s: %s, want %s", tc.query, b, tc.want)
			}
		})
	}
}

func TestQueryArrayKeepsQueryFlat(t *testing.T) {
	addr := serveHTTP(t, nil, func(c *connection.TcpConnection, r *http.Request) {
		r.QueryArray()
		b, _ := json.Marshal(r.Query())
		c.Send(b)
	})
	resp, err := (&nethttp.Client{Timeout: nettest.Timeout}).Get("http://" + addr + "/?a[]=1&a[]=2&b=3")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := `{"a[]":["1","2"],"b":["3"]}`; string(b) != want {
		t.Fatalf("Query: %s, want %s", b, want)
	}
}

func TestPostArrayReadsFormBodiesAsPHPDoes(t *testing.T) {
	addr := serveHTTP(t, nil, func(c *connection.TcpConnection, r *http.Request) {
		b, _ := json.Marshal(r.PostArray())
		c.Send(b)
	})
	client := &nethttp.Client{Timeout: nettest.Timeout}
	post := func(contentType string, body io.Reader) string {
		resp, err := client.Post("http://"+addr+"/", contentType, body)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return string(b)
	}

	got := post("application/x-www-form-urlencoded", strings.NewReader("tag[]=a&tag[]=b&u[n]=ann&x=1"))
	if want := `{"tag":["a","b"],"u":{"n":"ann"},"x":"1"}`; got != want {
		t.Fatalf("urlencoded: %s, want %s", got, want)
	}

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("tag[]", "a")
	mw.WriteField("u[n]", "ann")
	mw.WriteField("tag[]", "b")
	mw.Close()
	if got, want := post(mw.FormDataContentType(), &body), `{"tag":["a","b"],"u":{"n":"ann"}}`; got != want {
		t.Fatalf("multipart: %s, want %s", got, want)
	}

	if got := post("application/json", strings.NewReader(`{"a":[1]}`)); got != "{}" {
		t.Fatalf("json: %s, want {}", got)
	}
}
