"""The Redis gate's Lua scripts: each call is one atomic step of the gate.

Records are the tab-separated forms of ``liveport.flashsale.domain`` (encode_reservation,
encode_drop); the claim script decides exactly as ``domain.decide`` does, in the same order.
Every change of a reservation or a drop is appended, as a full snapshot, to the gate's
stream in the same script, so the database can be brought level with Redis from the stream.
Each script first checks the gate's ``alive`` key: Redis restarted empty means the gate's
state is gone, and every call answers 'lost' until it is restored from the database.

Keys of a drop: m (meta hash: id q lim hold closes state opens on_sale reserved sold),
b (buyer_key → units held), i (buyer_key TAB idempotency_key → reservation id or
'#'refusal), r (reservation id → record), x (expiry zset of reserved reservations).
"""
from __future__ import annotations

META_FIELDS = ("id", "q", "lim", "hold", "closes", "state", "opens", "on_sale", "reserved", "sold")

_PRELUDE = r"""
local function split(s)
  local out, i = {}, 1
  while true do
    local j = string.find(s, '\t', i, true)
    if not j then out[#out + 1] = string.sub(s, i); return out end
    out[#out + 1] = string.sub(s, i, j - 1); i = j + 1
  end
end
local META = {'id', 'q', 'lim', 'hold', 'closes', 'state', 'opens', 'on_sale', 'reserved', 'sold'}
local function meta(key) return redis.call('HMGET', key, unpack(META)) end
local function droprec(m)
  return table.concat({m[1], m[2], m[3], m[4], m[5], m[6], m[7]}, '\t')
end
local function record(f) return table.concat(f, '\t', 1, 9) end
-- f: reservation fields; moves the counters and the buyer's holding; returns the record
local function settle(mkey, bkey, rkey, xkey, logkey, f, status, now)
  local qty = tonumber(f[4])
  f[8] = status; f[9] = now
  if status == 'sold' then
    redis.call('HINCRBY', mkey, 'reserved', -qty)
    redis.call('HINCRBY', mkey, 'sold', qty)
  else
    redis.call('HINCRBY', mkey, 'reserved', -qty)
    redis.call('HINCRBY', mkey, 'on_sale', qty)
    if redis.call('HINCRBY', bkey, f[3], -qty) <= 0 then redis.call('HDEL', bkey, f[3]) end
  end
  local rec = record(f)
  redis.call('HSET', rkey, f[1], rec)
  redis.call('ZREM', xkey, f[1])
  redis.call('XADD', logkey, '*', 'r', rec)
  return rec
end
"""

# KEYS alive m b i r x log; ARGV buyer qty key now rid drop_id. The hot path: no prelude
# (its helper functions would be built again on every call), O(1) commands and one ZADD,
# and one string as the answer (cheapest to parse): kind TAB on_sale TAB replayed TAB
# record-or-refusal, with kind R (reserved) or X (refused); or 'lost' / 'none'.
CLAIM = r"""
if redis.call('EXISTS', KEYS[1]) == 0 then return 'lost' end
local m = redis.call('HMGET', KEYS[2], 'state', 'opens', 'closes', 'on_sale', 'lim', 'hold')
if not m[1] then return 'none' end
local on_sale = tonumber(m[4])
local ik = ARGV[1] .. '\t' .. ARGV[3]
local prior = redis.call('HGET', KEYS[4], ik)
if prior then
  if string.sub(prior, 1, 1) == '#' then return 'X\t' .. m[4] .. '\t1\t' .. string.sub(prior, 2) end
  return 'R\t' .. m[4] .. '\t1\t' .. redis.call('HGET', KEYS[5], prior)
end
local now, qty, state, code = tonumber(ARGV[4]), tonumber(ARGV[2]), m[1], nil
if state == 'closed' or (m[3] ~= '' and now >= tonumber(m[3])) then code = 'closed'
elseif state == 'scheduled' or now < tonumber(m[2]) then code = 'not_open'
elseif on_sale == 0 then code = 'sold_out'
else
  local held = tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '0')
  if held + qty > tonumber(m[5]) then code = 'limit_reached'
  elseif on_sale < qty then code = 'sold_out' end
end
if code then
  redis.call('HSET', KEYS[4], ik, '#' .. code)
  return 'X\t' .. m[4] .. '\t0\t' .. code
end
local expires = string.format('%d', now + tonumber(m[6]) * 1000)
local rec = table.concat({ARGV[5], ARGV[6], ARGV[1], ARGV[2], ARGV[3], ARGV[4], expires, 'reserved', ''}, '\t')
local left = redis.call('HINCRBY', KEYS[2], 'on_sale', -qty)
redis.call('HINCRBY', KEYS[2], 'reserved', qty)
redis.call('HINCRBY', KEYS[3], ARGV[1], qty)
redis.call('HSET', KEYS[5], ARGV[5], rec)
redis.call('HSET', KEYS[4], ik, ARGV[5])
redis.call('ZADD', KEYS[6], expires, ARGV[5])
redis.call('XADD', KEYS[7], '*', 'r', rec)
return 'R\t' .. left .. '\t0\t' .. rec
"""

# KEYS alive m drops log; ARGV id q lim hold closes
LOAD = _PRELUDE + r"""
if redis.call('EXISTS', KEYS[1]) == 0 then return {'lost'} end
if redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('HSET', KEYS[2], 'id', ARGV[1], 'q', ARGV[2], 'lim', ARGV[3], 'hold', ARGV[4],
             'closes', ARGV[5], 'state', 'scheduled', 'opens', '', 'on_sale', ARGV[2],
             'reserved', 0, 'sold', 0)
  redis.call('SADD', KEYS[3], ARGV[1])
  redis.call('XADD', KEYS[4], '*', 'd', droprec(meta(KEYS[2])))
end
return {'ok', meta(KEYS[2])}
"""

# KEYS alive m log; ARGV now countdown_ms
OPEN = _PRELUDE + r"""
if redis.call('EXISTS', KEYS[1]) == 0 then return {'lost'} end
local state = redis.call('HGET', KEYS[2], 'state')
if not state then return {'none'} end
if state == 'closed' then return {'closed'} end
if state == 'scheduled' then
  local countdown = tonumber(ARGV[2])
  redis.call('HSET', KEYS[2], 'state', countdown > 0 and 'countdown' or 'open',
             'opens', string.format('%d', tonumber(ARGV[1]) + countdown))
  redis.call('XADD', KEYS[3], '*', 'd', droprec(meta(KEYS[2])))
end
return {'ok', meta(KEYS[2])}
"""

# KEYS alive m log
CLOSE = _PRELUDE + r"""
if redis.call('EXISTS', KEYS[1]) == 0 then return {'lost'} end
local state = redis.call('HGET', KEYS[2], 'state')
if not state then return {'none'} end
if state ~= 'closed' then
  redis.call('HSET', KEYS[2], 'state', 'closed')
  redis.call('XADD', KEYS[3], '*', 'd', droprec(meta(KEYS[2])))
end
return {'ok', meta(KEYS[2])}
"""

# KEYS alive m b r x log; ARGV rid now status('sold'|'released')
SETTLE = _PRELUDE + r"""
if redis.call('EXISTS', KEYS[1]) == 0 then return {'lost'} end
local rec = redis.call('HGET', KEYS[4], ARGV[1])
if not rec then return {'none'} end
local f = split(rec)
if f[8] == ARGV[3] then return {'ok', rec} end
if f[8] ~= 'reserved' then return {f[8], rec} end
return {'ok', settle(KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], f, ARGV[3], ARGV[2])}
"""

# KEYS alive m b r x log; ARGV now limit
EXPIRE = _PRELUDE + r"""
if redis.call('EXISTS', KEYS[1]) == 0 then return {'lost'} end
local due = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, rid in ipairs(due) do
  local rec = redis.call('HGET', KEYS[4], rid)
  if rec then
    local f = split(rec)
    if f[8] == 'reserved' then
      out[#out + 1] = settle(KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], f, 'released', ARGV[1])
    else
      redis.call('ZREM', KEYS[5], rid)
    end
  else
    redis.call('ZREM', KEYS[5], rid)
  end
end
return out
"""

# KEYS alive restoring; ARGV token — the restore's last step, only by the lock's holder
FINISH_RESTORE = r"""
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
return 1
"""
