-- Caller-ID lookup (a shipped example, issue 18). Put it on a trigger at "attempted" (with the
-- prefix of the numbers whose callers should be named, or none). It sets the caller's display
-- name, which the callee's phone shows and the CDR records, from DIRECTORY below, else from a
-- CRM: LOOKUP_URL with the caller's number appended, whose answer's first line is the name (the
-- CRM's host must be listed in --script-http-allow). Names found are kept in this script's
-- key-value store for a day, so the CRM is asked once per caller. The call then goes on.
local DIRECTORY = {
  -- ["+15551230000"] = "ACME Ltd",
}
local LOOKUP_URL = nil                  -- e.g. "http://crm.example.com/callerid?number="
local KEEP_SECONDS = 86400

local caller = call.info().caller
local name = DIRECTORY[caller]
if name == nil then
  local kept = kv.get("name:" .. caller)
  if kept ~= nil and time.now() - kept.at < KEEP_SECONDS then name = kept.name end
end
if name == nil and LOOKUP_URL ~= nil then
  local ok, answer = pcall(http.get, LOOKUP_URL .. caller)
  if ok and answer.status == 200 then
    name = answer.body:match("^[^\r\n]+")
    if name then kv.set("name:" .. caller, { name = name, at = time.now() }) end
  elseif not ok then
    log.warn("callerid-lookup: " .. tostring(answer))
  end
end
if name then call.set_caller_name(name) end
call.proceed()
