package com.example.ratelimit

import java.time.Clock
import java.util.concurrent.ConcurrentHashMap

/** Token-bucket rate limiting per client key. */
data class BucketConfig(val capacity: Int, val refillPerSecond: Double)

class TokenBucket(private val config: BucketConfig, private val clock: Clock) {
    private var tokens = config.capacity.toDouble()
    private var lastRefill = clock.millis()

    @Synchronized
    fun tryTake(): Boolean {
        refill()
        if (tokens < 1.0) return false
        tokens -= 1.0
        return true
    }

    private fun refill() {
        val now = clock.millis()
        val elapsed = (now - lastRefill) / 1000.0
        tokens = minOf(config.capacity.toDouble(), tokens + elapsed * config.refillPerSecond)
        lastRefill = now
    }
}

class RateLimiter(private val config: BucketConfig, private val clock: Clock = Clock.systemUTC()) {
    private val buckets = ConcurrentHashMap<String, TokenBucket>()

    fun allow(clientKey: String): Boolean =
        buckets.computeIfAbsent(clientKey) { TokenBucket(config, clock) }.tryTake()

    fun forget(clientKey: String) {
        buckets.remove(clientKey)
    }
}

fun main() {
    val limiter = RateLimiter(BucketConfig(capacity = 3, refillPerSecond = 1.0))
    repeat(5) { println("request $it allowed=${limiter.allow("alice")}") }
}
