-- Inventory module for a game: items, stacking and weight limits.
local json = require("dkjson")

local Inventory = {}
Inventory.__index = Inventory

local MAX_STACK = 99

function Inventory.new(max_weight)
  return setmetatable({ slots = {}, max_weight = max_weight or 50 }, Inventory)
end

function Inventory:weight()
  local total = 0
  for _, slot in ipairs(self.slots) do
    total = total + slot.item.weight * slot.count
  end
  return total
end

function Inventory:add(item, count)
  count = count or 1
  if self:weight() + item.weight * count > self.max_weight then
    return false, "too heavy"
  end
  for _, slot in ipairs(self.slots) do
    if slot.item.id == item.id and slot.count + count <= MAX_STACK then
      slot.count = slot.count + count
      return true
    end
  end
  table.insert(self.slots, { item = item, count = count })
  return true
end

function Inventory:remove(item_id)
  for i, slot in ipairs(self.slots) do
    if slot.item.id == item_id then
      table.remove(self.slots, i)
      return slot
    end
  end
  return nil
end

function Inventory:save()
  return json.encode(self.slots)
end

return Inventory
