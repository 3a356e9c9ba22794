// A program the end-to-end tests drive: a WebSocket worker whose clients
// ask for cluster operations with one JSON command per message and get one
// JSON answer back.
package main

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/workerman-go/workerman/cluster"
	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/worker"
)

type command struct {
	Op      string   `json:"op"`
	Name    string   `json:"name"`
	Data    string   `json:"data"`
	Exclude []string `json:"exclude"`
	N       int      `json:"n"`
	Size    int      `json:"size"`
}

type answer struct {
	Op     string `json:"op"`
	PID    int    `json:"pid"`
	Client string `json:"client,omitempty"`
	N      int    `json:"n"`
	Err    string `json:"err,omitempty"`
}

func main() {
	w := worker.New("websocket://" + os.Getenv("APP_LISTEN"))
	w.Name = "app"
	w.Count, _ = strconv.Atoi(os.Getenv("APP_COUNT"))
	cluster.Gateway(w)
	if d, err := time.ParseDuration(os.Getenv("APP_OUTAGE_LIMIT")); err == nil {
		cluster.OutageLimit = d
	}
	w.OnWorkerStart = func(*worker.Worker) {
		// Layer 1: every process hands what is published on "room" to its clients.
		cluster.Subscribe("room", func(m *cluster.Msg) {
			for _, c := range w.Connections() {
				c.Send("room:" + string(m.Data))
			}
		})
		cluster.Subscribe("pid", func(m *cluster.Msg) { m.Respond([]byte(strconv.Itoa(os.Getpid()))) })
	}
	w.OnMessage = func(c *connection.TcpConnection, data any) {
		var cmd command
		if err := json.Unmarshal([]byte(data.(string)), &cmd); err != nil {
			reply(c, answer{Op: "error", Err: err.Error()})
			return
		}
		a := answer{Op: cmd.Op}
		var err error
		switch cmd.Op {
		case "whoami":
			a.Client = cluster.ClientID(c)
		case "publish":
			err = cluster.Publish("room", []byte(cmd.Data))
		case "request":
			err = cluster.Request("pid", nil, time.Second, func(b []byte, err error) {
				a.N, _ = strconv.Atoi(string(b))
				if err != nil {
					a.Err = err.Error()
				}
				reply(c, a)
			})
			if err == nil {
				return
			}
		case "bind":
			err = cluster.BindUid(c, cmd.Name)
		case "join":
			err = cluster.JoinGroup(c, cmd.Name)
		case "leave":
			cluster.LeaveGroup(c, cmd.Name)
		case "touid":
			err = cluster.SendToUid(cmd.Name, cmd.Data)
		case "togroup":
			err = cluster.SendToGroup(cmd.Name, cmd.Data, cmd.Exclude...)
		case "toall":
			err = cluster.SendToAll(cmd.Data, cmd.Exclude...)
		case "flood": // n numbered messages of size bytes to a group
			for i := 0; i < cmd.N && err == nil; i++ {
				msg := strconv.Itoa(i) + " "
				err = cluster.SendToGroup(cmd.Name, msg+strings.Repeat("x", max(cmd.Size-len(msg), 0)))
			}
		case "toclient":
			err = cluster.SendToClient(cmd.Name, cmd.Data)
		case "close":
			err = cluster.CloseClient(cmd.Name)
		case "uidcount", "groupcount", "clientcount", "online", "uidonline":
			ask(cmd, func(n int, err error) {
				a.N = n
				if err != nil {
					a.Err = err.Error()
				}
				reply(c, a)
			})
			return
		default:
			a.Err = "unknown op"
		}
		if err != nil {
			a.Err = err.Error()
		}
		reply(c, a)
	}
	worker.RunAll()
}

func ask(cmd command, fn func(int, error)) {
	yes := func(ok bool, err error) {
		n := 0
		if ok {
			n = 1
		}
		fn(n, err)
	}
	switch cmd.Op {
	case "uidcount":
		cluster.UidCount(cmd.Name, fn)
	case "groupcount":
		cluster.GroupCount(cmd.Name, fn)
	case "clientcount":
		cluster.ClientCount(fn)
	case "online":
		cluster.IsOnline(cmd.Name, yes)
	case "uidonline":
		cluster.IsUidOnline(cmd.Name, yes)
	}
}

func reply(c *connection.TcpConnection, a answer) {
	a.PID = os.Getpid()
	b, _ := json.Marshal(a)
	c.Send(string(b))
}
