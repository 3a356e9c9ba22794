package worker

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"time"
)

// log writes msg as a Workerman log line: to standard output unless this is
// a daemon, and to the log file.
func (p *program) log(msg string) {
	msg = strings.TrimSpace(msg)
	if !p.daemon {
		fmt.Println(msg)
	}
	appendLog(p.logFile, msg)
}

// appendLog appends "2006-01-02 15:04:05 pid:N msg" to file, locked against
// the other processes of the program, trimming the file first when it has
// grown past LogFileMaxSize.
func appendLog(file, msg string) {
	if file == "" || file == os.DevNull {
		return
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	unlock := lockFile(f)
	defer unlock()
	if st, err := f.Stat(); err == nil && st.Size() > LogFileMaxSize {
		trimLog(file)
	}
	line := fmt.Sprintf("%s pid:%d %s\n", time.Now().Format(time.DateTime), os.Getpid(), msg)
	f.WriteString(line)
}

// trimLog keeps the newer half of a log file: what follows the first line
// break past its middle.
func trimLog(file string) {
	b, err := os.ReadFile(file)
	if err != nil {
		return
	}
	os.WriteFile(file, trimmed(b), 0o644)
}

func trimmed(b []byte) []byte {
	half := b[len(b)/2:]
	if i := bytes.IndexByte(half, '\n'); i >= 0 {
		return half[i+1:]
	}
	return nil
}
