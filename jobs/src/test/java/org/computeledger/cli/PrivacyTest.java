package org.computeledger.cli;

import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.computeledger.SparkTestBase;
import org.computeledger.ingest.IngestParams;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No output file names a user (PRODUCT.md §8): an ingest of scheduler records and pods with known
 * user names and uids, accepted and quarantined, and every value of every table read back, every
 * text file read as bytes, searched for them.
 */
class PrivacyTest extends SparkTestBase {
  static final String USER = "zoe.private";
  static final String UID = "987123";
  static final String CANCELLER_UID = "876234";
  static final String HEADER = "JobID|JobIDRaw|Cluster|Partition|Account|User|UID|Group|WCKey|Comment|JobName|State"
      + "|Submit|Start|End|Elapsed|NNodes|NodeList|AllocTRES\n";

  @TempDir Path tmp;

  static String job(String id, String jobName, String state) {
    return id + "|" + id + "|lumen|h100|atlas|" + USER + "|" + UID + "|" + USER + "|pretrain||" + jobName + "|" + state
        + "|2026-03-02T00:00:00|2026-03-02T00:10:00|2026-03-02T01:10:00|01:00:00|1|gpu001"
        + "|billing=96,cpu=96,gres/gpu=8,node=1\n";
  }

  private Path input() throws IOException {
    Path in = tmp.resolve("in");
    Files.createDirectories(in.resolve("scheduler"));
    String accepted = job("1", "train", "COMPLETED") + job("2", "train", "CANCELLED by " + CANCELLER_UID);
    String badId = job("x?", "train", "COMPLETED");
    String badTime = job("4", "train", "COMPLETED").replace("2026-03-02T01:10:00", "yesterday");
    // a delimiter inside a fixed-shape column (Elapsed): no free-text column can absorb it
    String extraField = job("5", "train", "CANCELLED by " + CANCELLER_UID).replace("|01:00:00|", "|01|00:00|");
    String cut = job("6", "train", "COMPLETED").substring(0, 40) + "\n";
    Files.writeString(in.resolve("scheduler/sacct.txt"), HEADER + accepted + badId + badTime + extraField + cut);
    // no header and no --sacct-columns: the columns are unknown
    Files.writeString(in.resolve("scheduler/noheader.txt"), job("7", "train", "COMPLETED"));
    Files.createDirectories(in.resolve("k8s"));
    String pods = Files.readString(Path.of("src/test/resources/fixtures/k8s/pods.json"));
    Files.writeString(in.resolve("k8s/pods.json"), pods.replace("\"batch.kubernetes.io/job-completion-index\": \"0\"\n",
        "\"batch.kubernetes.io/job-completion-index\": \"0\", \"example.org/creator\": \"" + USER + "\"\n"));
    // a pod quarantined for its time: its raw JSON must not carry the creator or the uid it runs as
    Files.writeString(in.resolve("k8s/bad-pods.json"), "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [{"
        + "\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\", \"namespace\": \"atlas\","
        + " \"creationTimestamp\": \"yesterday\", \"annotations\": {\"example.org/creator\": \"" + USER + "\"}},"
        + " \"spec\": {\"securityContext\": {\"runAsUser\": " + UID + "}, \"containers\": [{\"name\": \"c\","
        + " \"env\": [{\"name\": \"USER\", \"value\": \"" + USER + "\"}]}]}}]}\n");
    return in;
  }

  @Test
  void noOutputOfAnIngestNamesAUserOrUid() throws IOException {
    Path out = tmp.resolve("out");
    IngestCommand.ingestInto(spark(), input().toString(), out.toString(), IngestParams.defaults(), "ingest", 1.0);
    Assertions.assertEquals(6, spark().read().parquet(out.resolve("quarantine").toString()).count(),
        "the fixture's bad lines are in the quarantine");
    List<String> found = new ArrayList<>();
    List<Path> tables = new ArrayList<>();
    try (Stream<Path> files = Files.walk(out)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        if (f.toString().endsWith(".parquet")) {
          if (!tables.contains(f.getParent())) {
            tables.add(f.getParent());
          }
        } else {
          String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
          for (String secret : new String[] {USER, UID, CANCELLER_UID}) {
            if (text.contains(secret)) {
              found.add(out.relativize(f) + " contains " + secret);
            }
          }
        }
      }
    }
    Assertions.assertTrue(tables.size() >= 3, "tables read back: " + tables);
    for (Path t : tables) {
      Dataset<Row> d = spark().read().parquet(t.toString());
      // every column as text, maps and arrays included
      Column[] asText = java.util.Arrays.stream(d.columns()).map(c -> col(c).cast("string").as(c)).toArray(Column[]::new);
      for (Row row : d.select(asText).collectAsList()) {
        for (int i = 0; i < row.length(); i++) {
          String v = row.getString(i);
          for (String secret : new String[] {USER, UID, CANCELLER_UID}) {
            if (v != null && v.contains(secret)) {
              found.add(out.relativize(t) + "." + d.columns()[i] + " contains " + secret + ": " + v);
            }
          }
        }
      }
    }
    Assertions.assertEquals(List.of(), found);
  }
}
