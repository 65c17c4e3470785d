package io.foley4j.pipeline.cli;

import io.foley4j.pipeline.Foley;
import io.foley4j.pipeline.serve.FoleyServer;
import io.foley4j.pipeline.serve.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", description = "HTTP service: POST /generate (multipart: video, desc), GET /health, GET /metrics.")
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--host", defaultValue = "127.0.0.1") String host;
    @Option(names = "--port", defaultValue = "8080") int port;
    @Option(names = "--workers", defaultValue = "1", description = "generations at once (each uses every thread)")
    int workers;
    @Option(names = "--queue", defaultValue = "4", description = "requests waiting beyond the workers; more get 503")
    int queue;
    @Option(names = "--max-upload-mb", defaultValue = "512") long maxUploadMb;
    @Option(names = "--timeout-s", defaultValue = "600", description = "per request: upload, queue and generation")
    long timeoutS;
    @Option(names = "--temp-dir", description = "uploads and outputs while in flight (default: the system temp dir)")
    Path tempDir;
    @Mixin
    ModelOptions model;

    @Override
    public Integer call() throws Exception {
        ServerConfig cfg = ServerConfig.defaults().withHost(host).withPort(port).withWorkers(workers)
                .withQueueCapacity(queue).withMaxUploadBytes(maxUploadMb << 20)
                .withRequestTimeout(Duration.ofSeconds(timeoutS));
        if (tempDir != null) cfg = cfg.withTempDir(tempDir);
        Foley foley = Foley.load(model.model, model.options());
        FoleyServer server = FoleyServer.start(foley, cfg, foley::counters);
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            foley.close();
            stop.countDown();
        }, "foley4j-shutdown"));
        System.out.printf("serving %s on http://%s:%d (POST /generate, GET /health, GET /metrics); Ctrl-C stops%n",
                foley.describe(), host, server.port());
        stop.await();
        return 0;
    }
}
