package org.computeledger.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.computeledger.schema.Allocations;
import org.junit.jupiter.api.Test;

/**
 * Slurm JSON in the shapes of the data_parser versions after 22.05 (v0.0.40 to v0.0.42), which no real
 * export here shows (Debian 12's Slurm writes openapi/dbv0.0.38; see RealSlurmExportsTest). The document
 * below is HAND-MADE from the documented shapes, not captured: numbers as {"set","infinite","number"}
 * (uint64_no_val_struct, https://slurm.schedmd.com/rest_api.html), states as lists of flags, the step id
 * as the whole "10.batch", per the OpenAPI models of v0.0.41 (generated client docs in
 * github.com/marcr-nextmol/sacct-ldap-sync, src/py_slurm_client/docs/V0041OpenapiSlurmdbdJobsRespJobsInner*.md).
 */
class SlurmJsonParserTest {
  private static final SlurmJsonParser PARSER = new SlurmJsonParser();
  private static final IngestParams UTC = IngestParams.defaults();

  private static final String V0041 = """
      {
        "meta": {"plugin": {"type": "", "name": "", "data_parser": "data_parser\\/v0.0.41"},
                 "slurm": {"version": {"major": "24", "minor": "05", "micro": "4"}, "release": "24.05.4"}},
        "jobs": [
          {
            "account": "atlas", "cluster": "c1", "partition": "gpu", "user": "alice", "name": "sweep",
            "comment": {"administrator": "", "job": "branch=x", "system": ""},
            "wckey": {"wckey": "pretrain", "flags": ["ASSIGNED_DEFAULT"]},
            "allocation_nodes": 1, "job_id": 10, "nodes": "g1",
            "array": {"job_id": 7, "task_id": {"set": true, "infinite": false, "number": 3}, "task": ""},
            "het": {"job_id": 0, "job_offset": {"set": false, "infinite": false, "number": 0}},
            "state": {"current": ["COMPLETED"], "reason": "None"},
            "time": {"elapsed": 100, "submission": 1767225600, "start": 1767225700, "end": 1767225800,
                     "limit": {"set": true, "infinite": false, "number": 60}},
            "steps": [
              {
                "step": {"id": "10.batch", "name": "batch"},
                "state": ["COMPLETED"],
                "nodes": {"count": 1, "range": "g1", "list": ["g1"]},
                "time": {"elapsed": 100, "start": 1767225700, "end": 1767225800},
                "tres": {"allocated": [{"type": "cpu", "name": "", "id": 1, "count": 4},
                                       {"type": "gres", "name": "gpu", "id": 1001, "count": 2}]}
              }
            ],
            "tres": {"allocated": [{"type": "cpu", "name": "", "id": 1, "count": 4},
                                   {"type": "gres", "name": "gpu", "id": 1001, "count": 2},
                                   {"type": "gres", "name": "gpu:a100", "id": 1002, "count": 2}]}
          },
          {
            "account": "beta", "cluster": "c1", "partition": "gpu", "user": "bob", "name": "het",
            "allocation_nodes": 2, "job_id": 21, "nodes": "g[2-3]",
            "array": {"job_id": 0, "task_id": {"set": false, "infinite": false, "number": 0}},
            "het": {"job_id": 20, "job_offset": {"set": true, "infinite": false, "number": 1}},
            "state": {"current": ["CANCELLED"], "reason": "None"},
            "time": {"elapsed": 50, "submission": 1767225600, "start": 1767225650, "end": 1767225700},
            "steps": [],
            "tres": {"allocated": [{"type": "gres", "name": "gpu", "id": 1001, "count": 8}]}
          }
        ]
      }
      """;

  @Test
  void arrayTaskIdAsNoValStructGivesTheJobIdSacctPrints() {
    CollectingSink sink = parse();

    assertEquals("7_3", sink.get(0, Allocations.JOB_ID));
    assertEquals("7", sink.get(0, Allocations.ARRAY_JOB_ID));
    assertEquals("3", sink.get(0, Allocations.ARRAY_TASK_ID));
    assertEquals("10", sink.get(0, Allocations.JOB_ID_RAW));
  }

  @Test
  void hetOffsetAsNoValStructGivesTheComponentId() {
    CollectingSink sink = parse();

    assertEquals("20+1", sink.get(2, Allocations.JOB_ID));
    assertEquals("CANCELLED", sink.get(2, Allocations.STATE));
  }

  @Test
  void stepIdWithItsJobPrefixIsCutToTheStepName() {
    CollectingSink sink = parse();

    assertEquals("7_3.batch", sink.get(1, Allocations.JOB_ID));
    assertEquals("batch", sink.get(1, Allocations.STEP_ID));
    assertEquals("10.batch", sink.get(1, Allocations.JOB_ID_RAW));
  }

  @Test
  void stateListAndTimesAndGpusOfTheJob() {
    CollectingSink sink = parse();

    assertEquals("COMPLETED", sink.get(0, Allocations.STATE));
    assertEquals(Timestamp.from(Instant.ofEpochSecond(1767225700)), sink.get(0, Allocations.START_TIME));
    assertEquals(100L, sink.get(0, Allocations.ELAPSED_S));
    assertEquals(2, sink.get(0, Allocations.GPU_COUNT), "untyped gres/gpu wins over the typed duplicate");
    assertEquals("a100", sink.get(0, Allocations.GPU_MODEL));
    assertEquals("pretrain", sink.get(0, Allocations.WCKEY));
    assertEquals("branch=x", sink.get(0, Allocations.COMMENT));
  }

  @Test
  void hetComponentOnTwoNodesSplitsItsGpus() {
    CollectingSink sink = parse();

    assertEquals(List.of("g2", "g3"), List.of(sink.get(2, Allocations.NODE), sink.get(3, Allocations.NODE)));
    assertEquals(4, sink.get(2, Allocations.GPU_COUNT));
    assertEquals(4, sink.get(3, Allocations.GPU_COUNT));
    assertNull(sink.get(2, Allocations.STEP_ID));
  }

  @Test
  void dataParserHeadIsDetected() {
    assertTrue(PARSER.detect("jobs.json", List.of(V0041.split("\n")), UTC));
  }

  @Test
  void documentWithoutJobsIsQuarantinedOnce() {
    CollectingSink sink = CollectingSink.parseText(PARSER, "x.json", "", "{\"meta\": {}}\n", UTC);

    assertEquals(1, sink.rejected.size());
    assertTrue(sink.rejected.get(0).reason().contains("jobs array"), sink.rejected.get(0).reason());
  }

  private static CollectingSink parse() {
    CollectingSink sink = CollectingSink.parseText(PARSER, "jobs.json", "", V0041, UTC);
    assertEquals(List.of(), sink.rejected);
    assertEquals(3, sink.accepted);
    return sink;
  }
}
