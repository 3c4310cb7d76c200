/**
 * The Lua run in every VM before a script: what makes the standard library safe to hand to a
 * script (issue 18: "no os.execute, os.exit, io, require of files, package, dofile, loadfile,
 * debug"). Lua 5.4 manual section 6 lists the libraries; what stays is base (minus the loaders),
 * string (minus dump), table, math, utf8, coroutine, and os.time, clock, date and difftime.
 *
 * Every library function the prelude keeps a reference to is a local, so a script that replaces
 * a global (`rawget = nil`) cannot change how the guards behave. The originals are reachable
 * only from these locals (debug.getupvalue is gone) and from the registry (no debug.getregistry).
 *
 * Arguments: patterncost(pattern, anchorable) -> power, factor (pattern-cost.ts); log(text);
 * cstack(message), told of a chunk that failed to compile with "C stack overflow" (lua-sandbox.ts
 * #noteCStack: the script may swallow the error); the step budget of one C call (patterns,
 * table.move); the largest chunk `load` accepts.
 */
export const SANDBOX_PRELUDE = `
local patterncost, log, cstack, budget, maxload = ...
local type, error, tostring, select, rawget, format = type, error, tostring, select, rawget, string.format
local concat, find, match, gmatch, gsub, move = table.concat, string.find, string.match, string.gmatch, string.gsub, table.move

-- Reaching outside the VM: files, processes, environment, other Lua code on disk, the debug
-- library (hooks, upvalues, registry). os.exit would even set Node's process.exitCode.
io, package, require, dofile, loadfile, debug, warn = nil, nil, nil, nil, nil, nil, nil
local os_time, os_clock, os_date, os_difftime = os.time, os.clock, os.date, os.difftime
os = { time = os_time, clock = os_clock, date = os_date, difftime = os_difftime }
-- Binary chunks can be crafted to break the VM's invariants (lundump.c checks little).
string.dump = nil

-- Parsing runs in C, out of the hook's reach: the text it gets is bounded. Over the bound, load
-- fails as it does on a syntax error: nil and a message.
local rawload = load
function load(chunk, name, mode, ...)
  if type(chunk) == "string" and #chunk > maxload then
    return nil, format("load: a chunk of %d bytes is over the limit of %d", #chunk, maxload)
  elseif type(chunk) == "function" then
    local reader, total = chunk, 0
    chunk = function()
      local piece = reader()
      if type(piece) == "string" then
        total = total + #piece
        if total > maxload then error(format("load: a chunk over the limit of %d bytes", maxload)) end
      end
      return piece
    end
  end
  local f, err = rawload(chunk, name, "t", ...)
  if f == nil and type(err) == "string" and find(err, "C stack overflow", 1, true) then cstack(err) end
  return f, err
end

local gc = collectgarbage
function collectgarbage(opt)
  if opt == nil or opt == "collect" or opt == "count" or opt == "step" or opt == "isrunning" then
    return gc(opt)
  end
  error("collectgarbage: option '" .. tostring(opt) .. "' is not available to scripts", 2)
end

-- A finalizer runs whenever the collector decides, also inside lua_close, outside any slice.
local rawsetmetatable = setmetatable
function setmetatable(t, mt)
  if type(mt) == "table" and rawget(mt, "__gc") ~= nil then
    error("setmetatable: __gc finalizers are not available to scripts", 2)
  end
  return rawsetmetatable(t, mt)
end

function print(...)
  local parts = {}
  for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
  log(concat(parts, "\\t"))
end

-- C functions whose work is not bounded by the memory cap, refused before they start when their
-- worst case is over one slice: the instruction hook cannot interrupt C code.
-- level: where the script's call is, counted from refuse (error level 1).
local function refuse(fname, what, steps, level, advice)
  error(format("%s: %s could take up to %.3g steps, over the %.3g one call may take (C code cannot be "
    .. "interrupted): %s", fname, what, steps, budget, advice), level)
end

local costs, cached = {}, 0
local function guard(fname, s, p, anchorable)
  if type(s) ~= "string" or type(p) ~= "string" then return end
  local key = (anchorable and "a" or "g") .. p
  local c = costs[key]
  if c == nil then
    if cached >= 256 then costs, cached = {}, 0 end
    local power, factor = patterncost(p, anchorable)
    c = { power, factor }
    costs[key], cached = c, cached + 1
  end
  local steps = (#s + 1) ^ c[1] * c[2]
  if steps > budget then
    refuse(fname, format("pattern %q on %d bytes", p, #s), steps, 4,
      "anchor the pattern with ^, match a shorter string, or find plain text")
  end
end

function string.find(s, p, init, plain)
  if not plain then
    guard("string.find", s, p, true)
  elseif type(s) == "string" and type(p) == "string" and (#s + 1) * (#p + 1) > budget then
    refuse("string.find", format("finding %d bytes in %d", #p, #s), (#s + 1) * (#p + 1), 3, "search a shorter string")
  end
  return find(s, p, init, plain)
end
function string.match(s, p, init)
  guard("string.match", s, p, true)
  return match(s, p, init)
end
function string.gmatch(s, p, init)
  guard("string.gmatch", s, p, false)
  return gmatch(s, p, init)
end
function string.gsub(s, p, repl, n)
  guard("string.gsub", s, p, true)
  return gsub(s, p, repl, n)
end
function table.move(a1, f, e, t, a2)
  if type(f) == "number" and type(e) == "number" and e - f > budget then
    refuse("table.move", format("moving %.0f elements", e - f + 1), e - f + 1, 3, "move fewer elements")
  end
  return move(a1, f, e, t, a2)
end
`;

/**
 * Binds the host API inside the VM (script-runner.ts). Arguments: a table of host functions, or
 * of namespaces of them, and the limits of plain-data.ts. Each host function returns (kind, value): 0 a value, 1 a promise of (kind, value), 2 an
 * error text. Each becomes a global a script calls like a plain function: `call.collect(4)`
 * suspends the script (wasmoon's promise :await() yields the coroutine to the runner) until the
 * promise settles; a failure is raised at the script's line (error level 2).
 *
 * Returns the starter: start(f, ...) calls f(...) and remembers the coroutine it runs in, so a
 * host call from a coroutine the script made itself (whose yield would land in the script, not
 * in the runner) fails plainly instead of handing the script a raw promise.
 */
export const API_PRELUDE = `
local names, dispatch, maxdepth, maxentries = ...
local running, error, type, tostring, pairs, next, select, G =
  coroutine.running, error, type, tostring, pairs, next, select, _G
local main

-- Entries left once v is counted, or -1 when v is over the limits of plain-data.ts (checked here
-- so the error lands on the script's line; a cycle counts as too deep).
local function fits(v, depth, left)
  if type(v) ~= "table" then return left end
  if depth > maxdepth then return -1 end
  left = left - 1
  for _, x in next, v do
    left = fits(x, depth + 1, left - 1)
    if left < 0 then return -1 end
  end
  return left
end

local function bind(name, f)
  return function(...)
    if running() ~= main then
      error(name .. ": host functions can only be called from the script's main flow, not inside a coroutine", 2)
    end
    for i = 1, select("#", ...) do
      if fits((select(i, ...)), 1, maxentries) < 0 then
        error(name .. ": argument " .. i .. " is a table nested deeper than " .. maxdepth
          .. " levels or with more than " .. maxentries .. " entries", 2)
      end
    end
    local kind, value = dispatch(f, ...)
    if kind == 1 then kind, value = value:await() end
    if kind == 2 then error(name .. ": " .. tostring(value), 2) end
    return value
  end
end
-- One JS function serves every host function (dispatch(index, ...)): binding each as a JS
-- function of its own costs the VM a wrapper apiece, dozens per run.
for i, entry in pairs(names) do
  local name, k = entry[1], entry[2]
  if k ~= nil then
    local t = G[name]
    if type(t) ~= "table" then t = {}; G[name] = t end
    t[k] = bind(name .. "." .. k, i)
  else
    G[name] = bind(name, i)
  end
end
return function(f, ...)
  main = running()
  return f(...)
end
`;
