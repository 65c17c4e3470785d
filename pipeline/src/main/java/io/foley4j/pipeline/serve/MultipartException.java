package io.foley4j.pipeline.serve;

import java.io.IOException;

/** A multipart/form-data body that breaks the format or the reader's limits; the message says where. */
final class MultipartException extends IOException {
    MultipartException(String message) {
        super(message);
    }
}
