-- wrk script of run.sh: "wrk ... -s wrk.lua URL -- DEPTH" writes DEPTH
-- requests in one write (pipelining; 1 is plain keep-alive) and prints one
-- JSON line for lib.sh: responses, seconds, errors (a timeout is a read
-- error), non-2xx and latency in
-- milliseconds. wrk times a batch, not each response in it.
init = function(args)
	local depth = tonumber(args[1]) or 1
	local batch = {}
	for i = 1, depth do
		batch[i] = wrk.format()
	end
	req = table.concat(batch)
end

request = function()
	return req
end

done = function(summary, latency, requests)
	local e = summary.errors
	io.write(string.format(
		'{"responses":%d,"seconds":%.3f,"connect":%d,"read":%d,"write":%d,"non2xx":%d,"p50":%.3f,"p99":%.3f,"max":%.3f}\n',
		summary.requests, summary.duration / 1e6, e.connect, e.read + e.timeout, e.write, e.status,
		latency:percentile(50) / 1e3, latency:percentile(99) / 1e3, latency.max / 1e3))
end
