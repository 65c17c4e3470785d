package io.foley4j.pipeline.serve;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * What /metrics reports: responses by status, /generate latency, queue rejections, timeouts, and the counters a
 * supplier gives (cache hits/misses) with a hit rate for every {@code X.hits} that has an {@code X.misses}.
 * Statuses count every response (health and metrics too); latency is timed for /generate only, whatever its status:
 * count, mean and max over all of them, p50 and p95 over the last {@link #WINDOW}.
 */
final class ServerMetrics {
    static final int WINDOW = 1024;

    private final Supplier<Map<String, Long>> counters;
    private final Map<Integer, Long> byStatus = new TreeMap<>();
    private final double[] recent = new double[WINDOW];
    private long latencyCount;
    private double latencySum, latencyMax;
    private final AtomicLong rejections = new AtomicLong(), timeouts = new AtomicLong();

    ServerMetrics(Supplier<Map<String, Long>> counters) {
        this.counters = counters == null ? Map::of : counters;
    }

    synchronized void response(int status) {
        byStatus.merge(status, 1L, Long::sum);
    }

    synchronized void generateLatency(double seconds) {
        recent[(int) (latencyCount % WINDOW)] = seconds;
        latencyCount++;
        latencySum += seconds;
        latencyMax = Math.max(latencyMax, seconds);
    }

    synchronized double meanLatencySeconds() {
        return latencyCount == 0 ? 0 : latencySum / latencyCount;
    }

    void rejected() { rejections.incrementAndGet(); }

    void timedOut() { timeouts.incrementAndGet(); }

    /** A JSON-ready tree. */
    Map<String, Object> snapshot() {
        Map<String, Object> out = new LinkedHashMap<>();
        synchronized (this) {
            Map<String, Long> statuses = new LinkedHashMap<>();
            long total = 0;
            for (var e : byStatus.entrySet()) {
                statuses.put(String.valueOf(e.getKey()), e.getValue());
                total += e.getValue();
            }
            out.put("requests", Map.of("total", total, "byStatus", statuses));
            int n = (int) Math.min(latencyCount, WINDOW);
            double[] sorted = Arrays.copyOf(recent, n);
            Arrays.sort(sorted);
            Map<String, Object> lat = new LinkedHashMap<>();
            lat.put("count", latencyCount);
            lat.put("meanSeconds", meanLatencySeconds());
            lat.put("p50Seconds", percentile(sorted, 0.50));
            lat.put("p95Seconds", percentile(sorted, 0.95));
            lat.put("maxSeconds", latencyMax);
            out.put("latency", lat);
        }
        out.put("queueRejections", rejections.get());
        out.put("timeouts", timeouts.get());
        Map<String, Long> c = new TreeMap<>(counters.get());
        out.put("counters", c);
        Map<String, Double> rates = new TreeMap<>();
        for (var e : c.entrySet()) {
            String k = e.getKey();
            if (!k.endsWith(".hits")) continue;
            String stem = k.substring(0, k.length() - ".hits".length());
            Long misses = c.get(stem + ".misses");
            if (misses == null) continue;
            long all = e.getValue() + misses;
            rates.put(stem + ".hitRate", all == 0 ? 0.0 : (double) e.getValue() / all);
        }
        out.put("hitRates", rates);
        return out;
    }

    /** Nearest-rank percentile of ascending {@code sorted}; 0 when empty. */
    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) return 0;
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
