-- wrk.lua: keep-alive PROPFIND load for bench/peers.  The body is read
-- from the file named by PEERS_BODY; Depth from PEERS_DEPTH (default 1).
-- Without PEERS_BODY it sends plain GETs (the static reference).
local body = os.getenv("PEERS_BODY")
if body and body ~= "" then
    local f = assert(io.open(body, "rb"))
    wrk.method = "PROPFIND"
    wrk.body = f:read("*a")
    f:close()
    wrk.headers["Depth"] = os.getenv("PEERS_DEPTH") or "1"
    wrk.headers["Content-Type"] = "application/xml"
end
