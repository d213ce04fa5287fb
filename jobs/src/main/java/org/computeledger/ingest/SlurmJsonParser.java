package org.computeledger.ingest;

import static org.computeledger.ingest.AllocationColumns.*;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Ingest of Slurm accounting as JSON ({@code sacct --json}, and slurmrestd's {@code /slurmdb/v0.0.NN/jobs}
 * responses) into the allocations table, with the same rows as {@link SacctParser} makes of the
 * {@code sacct -P --duplicates} export of the same jobs: one per job, array task, het component and step,
 * per node.
 *
 * <p>The document is streamed one job at a time (a month of a large cluster is gigabytes). A job is
 * reported at the line where its object opens and each step at its own line; every other line is
 * ignored. Layouts: Slurm 22.05's {@code openapi/dbv0.0.38} (what Debian 12's sacct prints) and the
 * data_parser v0.0.39 to v0.0.42 of later releases. They differ in ways this parser absorbs: numbers
 * that became {@code {"set", "infinite", "number"}} objects (v0.0.40+, the "uint64_no_val_struct" of
 * https://slurm.schedmd.com/rest_api.html), states that became lists of flags ({@code state.current},
 * a step's {@code state}, v0.0.40+), a step id that became the whole {@code 8.batch} (v0.0.39+) and
 * a WCKey that is an object in 0.0.38 and a string elsewhere. GPUs come from {@code tres.allocated}
 * read as AllocTRES ({@link GpuTres}).
 */
public final class SlurmJsonParser extends JsonAllocationParser {
  private static final long serialVersionUID = 1L;

  public static final String FORMAT = "slurm-json";

  /** Job fields that name or locate a person: masked in a quarantined job's raw JSON. */
  static final Set<String> PERSONAL_FIELDS =
      Set.of("user", "group", "working_directory", "submit_line", "script", "stdout", "stderr", "stdin",
          "kill_request_user", "association");

  public SlurmJsonParser() {
    super(FORMAT, "jobs", "jobs", PERSONAL_FIELDS, true);
  }

  /**
   * A JSON object whose head names Slurm's OpenAPI plugin ({@code openapi/dbv0.0.38},
   * {@code data_parser/v0.0.41}) or shows a jobs array whose jobs have a {@code job_id}.
   */
  @Override
  boolean isDocument(String head) {
    // Slurm's JSON writer escapes every '/' ("openapi\/dbv0.0.38")
    String s = head.replace("\\/", "/");
    return s.contains("openapi/dbv") || s.contains("data_parser/v")
        || (s.contains("\"jobs\"") && s.contains("\"job_id\""));
  }

  @Override
  String notADocument(JsonToken root) {
    return "expected a Slurm accounting document: an object with a jobs array"
        + " (sacct --json, slurmrestd /slurmdb/v0.0.NN/jobs)";
  }

  /** One element of the jobs array: the job's rows, then each of its steps'. */
  @Override
  void record(JsonParser p, JsonToken t, long line, Records r) throws IOException {
    if (t != JsonToken.START_OBJECT) {
      r.report(line);
      r.sink.quarantine(line, "jobs: expected a job object, found " + t, p.getText());
      p.skipChildren();
      return;
    }
    List<JsonNode> steps = new ArrayList<>();
    List<Long> stepLines = new ArrayList<>();
    ObjectNode job = readJob(p, steps, stepLines);
    r.report(line);
    Job read = job(line, job, r.params, r.pseudonyms, r.sink);
    for (int i = 0; i < steps.size(); i++) {
      r.report(stepLines.get(i));
      if (read != null) {
        step(stepLines.get(i), read, steps.get(i), r.params, r.sink);
      } else {
        r.sink.quarantine(stepLines.get(i), "step of a job that was not read (see its job's line)",
            steps.get(i).toString());
      }
    }
  }

  /** One job object, its steps kept apart with the line each opens at (the job's fields follow them). */
  private static ObjectNode readJob(JsonParser p, List<JsonNode> steps, List<Long> stepLines) throws IOException {
    ObjectNode job = MAPPER.createObjectNode();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      if (field.equals("steps") && value == JsonToken.START_ARRAY) {
        while (p.nextToken() == JsonToken.START_OBJECT) {
          stepLines.add((long) p.currentTokenLocation().getLineNr());
          steps.add(MAPPER.readTree(p));
        }
      } else {
        job.set(field, MAPPER.readTree(p));
      }
    }
    return job;
  }

  /** What a job's steps take from it: the printed id, raw id, array and step parts, cluster and account. */
  private record Job(String printedId, String rawId, String arrayJobId, String arrayTaskId, String cluster,
      String account) {}

  /** One job: its rows, or one quarantine entry naming the job and the field; null when not read. */
  private static Job job(long line, JsonNode job, IngestParams params, Map<String, String> pseudonyms,
      RowSink sink) {
    try {
      long rawId = whole(job, "job_id");
      if (rawId <= 0) {
        throw new Rejected("field job_id: expected a positive whole number, '" + job.path("job_id") + "'");
      }
      String damage = Plausibility.textDamage(job.toString());
      if (damage != null) {
        throw new Rejected("job " + rawId + ": " + damage);
      }
      for (String field : new String[] {"name", "account", "partition", "cluster", "user", "nodes"}) {
        String v = text(job, field);
        if (v != null && v.length() > Plausibility.MAX_FIELD_CHARS) {
          throw new Rejected("job " + rawId + ": field " + field + ": " + v.length()
              + " characters, more than the limit of " + Plausibility.MAX_FIELD_CHARS);
        }
      }
      String printed = printedId(job, rawId);
      String cluster = text(job, "cluster");
      Object[] row = idRow(sink, printed, Long.toString(rawId), cluster != null ? cluster : params.cluster());
      if (row == null) {
        throw new Rejected("job " + rawId + ": array or het fields make no Slurm job id: '" + printed + "'");
      }
      Job read = new Job(printed, (String) row[I_JOB_ID_RAW], (String) row[I_ARRAY_JOB_ID],
          (String) row[I_ARRAY_TASK_ID], (String) row[I_CLUSTER], text(job, "account"));
      JsonNode time = job.path("time");
      String user = text(job, "user");
      row[I_USER_HASH] = user == null ? null
          : pseudonyms.computeIfAbsent(user, u -> Pseudonyms.user(params.pseudonymKey(), u));
      row[I_ACCOUNT] = read.account();
      row[I_PARTITION] = text(job, "partition");
      row[I_WCKEY] = job.path("wckey").isObject() ? text(job.path("wckey"), "wckey") : text(job, "wckey");
      row[I_COMMENT] = job.path("comment").isObject() ? text(job.path("comment"), "job") : text(job, "comment");
      row[I_JOB_NAME] = text(job, "name");
      row[I_STATE] = state(job.path("state").isObject() ? job.path("state").path("current") : job.path("state"));
      row[I_SUBMIT] = time(printed, time, "submission", params);
      fillRun(printed, row, time, params, nodes(printed, text(job, "nodes")), nodeCount(job.path("allocation_nodes")),
          job.path("tres").path("allocated"), sink, line);
      return read;
    } catch (Rejected e) {
      sink.quarantine(line, e.getMessage(), job.toString());
      return null;
    }
  }

  /**
   * A new row holding the ids of a job or step printed as {@code printed} (as sacct prints JobID: the
   * array job, task and step read from it), its raw id and cluster; null when {@code printed} makes no
   * Slurm job id, which the caller words for a job or a step.
   */
  private static Object[] idRow(RowSink sink, String printed, String rawId, String cluster) {
    String[] idParts = new String[3];
    if (!SacctParser.splitJobId(printed, idParts)) {
      return null;
    }
    Object[] row = sink.newRow();
    row[I_CLUSTER] = cluster;
    row[I_JOB_ID] = printed;
    row[I_ARRAY_JOB_ID] = idParts[0];
    row[I_ARRAY_TASK_ID] = idParts[1];
    row[I_STEP_ID] = idParts[2];
    row[I_JOB_ID_RAW] = rawId;
    return row;
  }

  /** One step of a read job: its rows, like sacct's step lines (no user, partition, WCKey or comment). */
  private static void step(long line, Job job, JsonNode step, IngestParams params, RowSink sink) {
    try {
      String id = text(step.path("step"), "id");
      if (id == null) {
        throw new Rejected("job " + job.printedId() + ": field step.id: expected a step id like batch or 0");
      }
      // v0.0.39+ print the whole "8.batch"; 0.0.38 only "batch"
      int dot = id.lastIndexOf('.');
      String stepId = dot >= 0 ? id.substring(dot + 1) : id;
      String printed = job.printedId() + "." + stepId;
      Object[] row = idRow(sink, printed, job.rawId() + "." + stepId, job.cluster());
      if (row == null) {
        throw new Rejected("job " + job.printedId() + ": field step.id: expected a step id like batch or 0, '"
            + id + "'");
      }
      JsonNode time = step.path("time");
      row[I_ACCOUNT] = job.account();
      row[I_JOB_NAME] = text(step.path("step"), "name");
      row[I_STATE] = state(step.path("state"));
      // sacct prints a step's start as its Submit
      row[I_SUBMIT] = time(printed, time, "start", params);
      JsonNode nodes = step.path("nodes");
      fillRun(printed, row, time, params, nodes(printed, text(nodes, "range")), nodeCount(nodes.path("count")),
          step.path("tres").path("allocated"), sink, line);
    } catch (Rejected e) {
      sink.quarantine(line, e.getMessage(), step.toString());
    }
  }

  /** Start, end, elapsed, nodes and GPUs of a job or step, then one row per node. */
  private static void fillRun(String id, Object[] row, JsonNode time, IngestParams params, List<String> nodes,
      Integer nodeCount, JsonNode allocated, RowSink sink, long line) throws Rejected {
    Timestamp start = time(id, time, "start", params);
    Timestamp end = time(id, time, "end", params);
    if (start != null && end != null && end.before(start)) {
      throw new Rejected("job " + id + ": negative duration: time.end " + end.toInstant() + " is before time.start "
          + start.toInstant());
    }
    row[I_START] = start;
    row[I_END] = end;
    long elapsed = whole(time, "elapsed");
    row[I_ELAPSED] = elapsed >= 0 ? Long.valueOf(elapsed)
        : start != null && end != null ? Long.valueOf((end.getTime() - start.getTime()) / 1000) : null;
    List<String> hosts = nodes;
    if (hosts == null) {
      hosts = new ArrayList<>(1);
      hosts.add(null);
    } else if (nodeCount == null) {
      nodeCount = hosts.size();
    }
    row[I_NODE_COUNT] = nodeCount;
    String tres = allocTres(allocated);
    GpuTres gpus = GpuTres.parse(tres);
    if (gpus == GpuTres.BAD) {
      throw new Rejected("job " + id + ": field tres.allocated: expected whole GPU counts, '" + tres + "'");
    }
    int k = hosts.size();
    if (gpus != null && (gpus.total + k - 1) / k > Plausibility.MAX_GPUS_PER_NODE) {
      throw new Rejected("job " + id + ": field tres.allocated: " + gpus.total + " GPUs on " + k
          + " node(s) is more than " + Plausibility.MAX_GPUS_PER_NODE + " per node, the plausible limit");
    }
    row[I_GPU_MODEL] = gpus == null ? null : gpus.model;
    row[I_LABELS] = Map.of();
    SacctParser.emitPerNode(line, row, hosts, gpus, sink);
  }

  /**
   * The JobID as sacct prints it: {@code het+offset} for a het component, {@code array_task} for an array
   * task, {@code array_[range]} for a pending array range, else the job id.
   */
  static String printedId(JsonNode job, long rawId) {
    JsonNode het = job.path("het");
    long hetId = whole(het, "job_id");
    long offset = whole(het, "job_offset");
    if (hetId > 0 && offset >= 0) {
      return hetId + "+" + offset;
    }
    JsonNode array = job.path("array");
    long arrayId = whole(array, "job_id");
    long task = whole(array, "task_id");
    if (arrayId > 0 && task >= 0) {
      return arrayId + "_" + task;
    }
    String range = text(array, "task");
    if (arrayId > 0 && range != null) {
      return arrayId + "_[" + range + "]";
    }
    return Long.toString(rawId);
  }

  /** A TRES array as sacct prints AllocTRES: {@code type=count} or {@code type/name=count}; null when empty. */
  static String allocTres(JsonNode allocated) {
    if (!allocated.isArray() || allocated.isEmpty()) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    for (JsonNode t : allocated) {
      String type = text(t, "type");
      String name = text(t, "name");
      if (type == null) {
        continue;
      }
      if (sb.length() > 0) {
        sb.append(',');
      }
      sb.append(type);
      if (name != null) {
        sb.append('/').append(name);
      }
      sb.append('=').append(t.path("count").asText());
    }
    return sb.length() == 0 ? null : sb.toString();
  }

  /** The first state word: 0.0.38 prints a string, v0.0.40+ a list whose first entry is the base state. */
  static String state(JsonNode state) {
    JsonNode s = state.isArray() ? state.path(0) : state;
    return s.isValueNode() && !s.asText().isEmpty() ? SacctParser.state(s.asText()) : null;
  }

  /**
   * A whole number that may be plain or a {@code {"set", "infinite", "number"}} object; -1 when absent,
   * not set, infinite or not a number.
   */
  static long whole(JsonNode parent, String field) {
    return whole(parent.path(field));
  }

  private static long whole(JsonNode v) {
    if (v.isObject()) {
      if (!v.path("set").asBoolean(false) || v.path("infinite").asBoolean(false)) {
        return -1;
      }
      v = v.path("number");
    }
    return v.isIntegralNumber() ? v.asLong() : -1;
  }

  /** An epoch-seconds time; null for 0 or absent (not started, not ended). */
  private static Timestamp time(String id, JsonNode time, String field, IngestParams params) throws Rejected {
    long s = whole(time, field);
    if (s <= 0) {
      return null;
    }
    Instant at = Instant.ofEpochSecond(s);
    String implausible = Plausibility.implausibleTime("time." + field, at, Long.toString(s), params);
    if (implausible != null) {
      throw new Rejected("job " + id + ": " + implausible);
    }
    return Timestamp.from(at);
  }

  private static List<String> nodes(String id, String list) throws Rejected {
    if (list == null || list.equals("None assigned")) {
      return null;
    }
    List<String> nodes = SlurmHostList.expand(list);
    if (nodes == null) {
      throw new Rejected("job " + id + ": field nodes: expected a Slurm host list like node[01-04],gpu7, '" + list
          + "'");
    }
    return nodes;
  }

  private static Integer nodeCount(JsonNode v) {
    long n = whole(v);
    return n < 0 || n > Integer.MAX_VALUE ? null : (int) n;
  }
}
