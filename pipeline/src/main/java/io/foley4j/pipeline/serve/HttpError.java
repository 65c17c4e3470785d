package io.foley4j.pipeline.serve;

/** A request the server answers with {@code status} and a JSON body carrying the message. */
final class HttpError extends RuntimeException {
    final int status;

    HttpError(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }
}
