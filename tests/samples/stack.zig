//! A bounded stack backed by a fixed array.
const std = @import("std");

pub const StackError = error{ Overflow, Underflow };

pub fn BoundedStack(comptime T: type, comptime capacity: usize) type {
    return struct {
        const Self = @This();

        items: [capacity]T = undefined,
        len: usize = 0,

        pub fn push(self: *Self, value: T) StackError!void {
            if (self.len == capacity) return StackError.Overflow;
            self.items[self.len] = value;
            self.len += 1;
        }

        pub fn pop(self: *Self) StackError!T {
            if (self.len == 0) return StackError.Underflow;
            self.len -= 1;
            return self.items[self.len];
        }

        pub fn peek(self: *const Self) ?T {
            return if (self.len == 0) null else self.items[self.len - 1];
        }
    };
}

test "push then pop returns the same value" {
    var stack = BoundedStack(u32, 4){};
    try stack.push(7);
    try std.testing.expectEqual(@as(u32, 7), try stack.pop());
}

test "pop on empty stack underflows" {
    var stack = BoundedStack(u8, 1){};
    try std.testing.expectError(StackError.Underflow, stack.pop());
}
