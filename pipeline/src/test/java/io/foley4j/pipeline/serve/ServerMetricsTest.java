package io.foley4j.pipeline.serve;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ServerMetricsTest {
    @Test
    void nearestRankPercentiles() {
        double[] s = new double[100];
        for (int i = 0; i < 100; i++) s[i] = i + 1;
        assertEquals(50, ServerMetrics.percentile(s, 0.50));
        assertEquals(95, ServerMetrics.percentile(s, 0.95));
        assertEquals(7, ServerMetrics.percentile(new double[] {7}, 0.95));
        assertEquals(0, ServerMetrics.percentile(new double[0], 0.5));
    }

    @Test
    @SuppressWarnings("unchecked")
    void latencyWindowAndHitRates() {
        ServerMetrics m = new ServerMetrics(() -> Map.of("a.hits", 0L, "a.misses", 0L, "b.hits", 9L, "b.misses", 1L, "c.hits", 4L));
        for (int i = 1; i <= ServerMetrics.WINDOW + 10; i++) m.generateLatency(i);
        m.response(200);
        m.response(200);
        m.response(503);
        m.rejected();
        Map<String, Object> s = m.snapshot();
        Map<String, Object> lat = (Map<String, Object>) s.get("latency");
        assertEquals((long) ServerMetrics.WINDOW + 10, lat.get("count"));
        assertEquals((ServerMetrics.WINDOW + 11) / 2.0, (double) lat.get("meanSeconds"), 1e-9);
        assertEquals((double) ServerMetrics.WINDOW + 10, lat.get("maxSeconds"));
        // The window holds 11 .. WINDOW+10.
        assertEquals(10 + ServerMetrics.WINDOW / 2.0, (double) lat.get("p50Seconds"));
        Map<String, Object> req = (Map<String, Object>) s.get("requests");
        assertEquals(3L, req.get("total"));
        assertEquals(Map.of("200", 2L, "503", 1L), req.get("byStatus"));
        assertEquals(1L, s.get("queueRejections"));
        assertEquals(Map.of("a.hitRate", 0.0, "b.hitRate", 0.9), s.get("hitRates"));
    }
}
