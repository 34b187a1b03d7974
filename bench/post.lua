wrk.method = "POST"
wrk.body   = '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}'
wrk.headers["Content-Type"] = "application/json"
