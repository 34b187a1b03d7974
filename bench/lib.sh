# Shell helpers shared by bench/run and bench/ab (sourced, not run).

# The JVM flags README documents for production (heap bounded; RSS follows the heap limit).
SERVICE_JAVA_OPTS="${SERVICE_JAVA_OPTS:--Xms64m -Xmx256m -XX:+ExitOnOutOfMemoryError}"

# free_ports N: N distinct loopback ports that were free a moment ago, on one line.
free_ports() {
  node -e '
const net = require("net");
(async () => {
  const servers = [];
  for (let i = 0; i < Number(process.argv[1]); i++) {
    const s = net.createServer();
    await new Promise((r) => s.listen(0, "127.0.0.1", r));
    servers.push(s);
  }
  console.log(servers.map((s) => s.address().port).join(" "));
  servers.forEach((s) => s.close());
})()' "$1"
}

# wait_http URL: until URL answers a JSON-RPC POST (30 s at most).
wait_http() {
  for _ in $(seq 1 300); do
    curl -s -o /dev/null -m 1 -X POST -H 'content-type: application/json' -d '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "$1" && return 0
    sleep 0.1
  done
  echo "timeout waiting for $1" >&2; return 1
}
