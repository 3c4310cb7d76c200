-- Caller-ID lookup (a shipped example, issue 18): a trigger at "attempted" runs it; it sets the
-- caller's display name from this script's key-value store (`kv.set("name:0123456", "ACME Ltd")`)
-- or, when `lookup_url` is stored and its host is in --script-http-allow, from a CRM's HTTP answer
-- (the body's first line is the name). The call then goes on as dialled.
local info = call.info()
local name = kv.get("name:" .. info.caller)
local url = kv.get("lookup_url")
if name == nil and url ~= nil then
  local ok, answer = pcall(http.get, url .. info.caller)
  if ok and answer.status == 200 and answer.body ~= "" then
    name = answer.body:match("^[^\r\n]+")
    if name then kv.set("name:" .. info.caller, name) end
  elseif not ok then
    log.warn("callerid-lookup: " .. tostring(answer))
  end
end
if name then call.set_caller_name(name) end
call.proceed()
