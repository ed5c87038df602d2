# Descriptive statistics and a bootstrap confidence interval.
module Stats

using Random

export mean, variance, bootstrap_ci

const DEFAULT_RESAMPLES = 1000

mean(xs) = sum(xs) / length(xs)

function variance(xs; corrected::Bool = true)
    m = mean(xs)
    n = length(xs)
    return sum((x - m)^2 for x in xs) / (corrected ? n - 1 : n)
end

function resample(rng, xs)
    return [xs[rand(rng, 1:length(xs))] for _ in xs]
end

function bootstrap_ci(xs; level = 0.95, resamples = DEFAULT_RESAMPLES, seed = 42)
    rng = MersenneTwister(seed)
    means = sort([mean(resample(rng, xs)) for _ in 1:resamples])
    lo = means[max(1, floor(Int, (1 - level) / 2 * resamples))]
    hi = means[min(resamples, ceil(Int, (1 + level) / 2 * resamples))]
    return (lo, hi)
end

end # module
