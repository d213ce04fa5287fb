package org.computeledger.ingest;

import java.io.Serializable;

/**
 * One input file as a parser sees it.
 *
 * @param path the path as written to outputs (relative to the input folder)
 * @param folderName name of the folder holding the file; nvidia-smi logs name no host, and by the
 *     input contract (PRODUCT.md §4) the host is this folder's name
 * @param params the run's ingest parameters
 * @param modifiedMillis the file's modification time in epoch milliseconds, read only when
 *     {@link IngestParams#scrapeTimeFromMtime()} asks for it (it dates raw scrapes); -1 otherwise
 */
public record InputFile(String path, String folderName, IngestParams params, long modifiedMillis)
    implements Serializable {

  /** Without a modification time. */
  public InputFile(String path, String folderName, IngestParams params) {
    this(path, folderName, params, -1L);
  }
}
