package org.computeledger.devtools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the project's bundled {@code sample-logs/}: four months of a small GPU cluster's scheduler
 * log, telemetry and bills (and of a Kubernetes cluster rented on AWS from April), with the registry and market prices that go with them. Everything
 * derives from one seed, so a rerun writes the same bytes. Run through {@code scripts/make-sample-logs}.
 */
public final class SampleLogs {
  /** The seed the committed sample-logs/ were made with. */
  public static final long DEFAULT_SEED = 20260302L;

  private SampleLogs() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: SampleLogs OUTDIR [SEED]");
      System.exit(2);
    }
    long seed = args.length == 2 ? Long.parseLong(args[1]) : DEFAULT_SEED;
    write(Path.of(args[0]), seed);
  }

  /** Writes the whole folder under {@code out}; existing files of the same names are replaced. */
  public static void write(Path out, long seed) throws IOException {
    Files.createDirectories(out);
    SampleCluster cluster = SampleCluster.build(seed);
    SampleSacct.write(cluster, out.resolve("scheduler/sacct-2026-02-to-05.txt"));
    SampleEks.writePods(cluster, out.resolve("scheduler/kubectl-pods-" + SampleEks.CLUSTER + ".json"));
    new SampleTelemetry(cluster, seed).writeAll(out);
    SampleBilling.write(cluster, seed, out.resolve("billing"));
    SampleEks.writeBills(out.resolve("billing/aws-cur2"));
    SampleEks.writeResources(out.resolve("resources.csv"));
    Files.writeString(out.resolve("registry.yaml"), REGISTRY);
    Files.writeString(out.resolve("prices.csv"), PRICES);
    Files.writeString(out.resolve("README.md"), README);
  }

  static final String REGISTRY = """
      # What Lumen Lab is building, and how its Slurm jobs map onto it (PRODUCT.md section 5).
      developer: Lumen Lab
      # annual gross revenue with affiliates: RAISE (2026) asks whether the developer is a large frontier developer
      developer_revenue: { annual_gross: 750000000, currency: USD, year: 2025 }
      projects:
        - id: atlas
          development_start: 2026-02-01
          precision: bf16
          generates: [text]
          branches:
            - id: pretrain-main
              activity: pretraining
              status: kept
              description: Main pre-training run of the 7B model on the curated web mix (gpu001-003)
              # for the architecture cross-check (6·N·D): 7B parameters, 30B tokens so far
              architecture: { parameters: 7.0e9, tokens: 3.0e10, epochs: 1 }
              match: { slurm: { account: atlas, wckey: pretrain } }
            - id: data-mix-ablation
              activity: research
              status: discarded
              description: February ablation of a first data mix on the A100 nodes; the mix was dropped
              match: { slurm: { account: atlas, wckey: ablation } }
            - id: distill
              activity: pretraining
              status: kept
              description: Distillation of teacher-70b into atlas on rented EKS nodes (p5.48xlarge) from April
              match: { k8s: { namespace: atlas, labels: { branch: distill } } }
            - id: lr-sweep
              activity: research
              status: discarded
              description: Learning-rate sweep as a four-task job array on the A100 nodes; no checkpoint kept
              match: { slurm: { account: atlas, wckey: lr-sweep } }
            - id: sft
              activity: fine-tuning
              status: kept
              description: Supervised fine-tuning on instruction data (v1 and v2), sharing gpu004
              # as planned: two epochs of 2.5B tokens; the jobs ran shorter, which the cross-check shows
              architecture: { parameters: 7.0e9, tokens: 2.5e9, epochs: 2 }
              match: { slurm: { account: atlas, wckey: sft } }
            - id: evals
              activity: evaluation
              status: kept
              description: Capability evaluations (MMLU, GSM8K, HumanEval, long context) on the L40S node
              match: { slurm: { account: atlas, wckey: eval } }
            - id: refusal-tuning
              activity: fine-tuning
              status: kept
              description: Fine-tuning to refuse requests for help with crimes
              risk_only: true
              justification: Fine-tuning only to refuse criminal requests; capability evals unchanged (report R-12)
              match: { slurm: { comment: "branch=refusal-tuning" } }
            - id: jailbreak-filter
              activity: fine-tuning
              status: kept
              description: Fine-tuning to resist jailbreak prompts; claimed risk-only, but no justification written yet
              risk_only: true
              match: { slurm: { comment: "branch=jailbreak-filter" } }
          uses:
            - project: teacher-70b
              as: distillation-teacher
            - resource: nimbus-8b-base
              open: true
              released_by: Nimbus AI
              released_on: 2025-04-18
            - resource: lumen-base-1b
              open: true
              released_by: Lumen Lab
              released_on: 2026-01-15
              project: base-1b
            - resource: lumen-base-350m
              open: true
              released_by: Lumen Lab
              released_on: 2025-06-02
              project: base-350m
        - id: teacher-70b
          development_start: 2025-11-03
          precision: fp8
          branches:
            - id: pretrain
              activity: pretraining
              status: kept
              description: Pre-training of the 70B teacher whose outputs atlas distils
              match: { slurm: { account: teacher-70b, wckey: pretrain } }
            - id: post-training
              activity: fine-tuning
              status: kept
              description: SFT and DPO of the teacher
              match: { slurm: { account: teacher-70b, wckey: sft } }
            - id: logit-generation
              activity: synthetic-data
              status: kept
              description: The teacher's logits on the distillation corpus, generated on the EKS nodes in April
              match: { k8s: { namespace: teacher-70b, labels: { branch: logit-generation } } }
        - id: base-1b
          development_start: 2025-09-01
          precision: bf16
          branches:
            - id: base-1b-training
              activity: pretraining
              status: kept
              description: Training of the 1B base model Lumen Lab released openly on 2026-01-15
              match: { slurm: { account: base-1b } }
        - id: base-350m
          development_start: 2025-01-06
          precision: bf16
          branches:
            - id: base-350m-refresh
              activity: pretraining
              status: kept
              description: Refresh of the 350M base model Lumen Lab released openly on 2025-06-02
              match: { slurm: { account: base-350m } }
      """;

  static final String PRICES = """
      gpu_model,price_per_gpu_hour,currency,effective_date,source
      h100-sxm,3.10,USD,2025-10-01,illustrative on-demand market rate (sample data)
      h100-sxm,2.85,USD,2026-02-01,illustrative on-demand market rate (sample data)
      a100-sxm4-80gb,1.65,USD,2025-10-01,illustrative on-demand market rate (sample data)
      l40s,0.95,USD,2025-10-01,illustrative on-demand market rate (sample data)
      """;

  static final String README = """
      # Sample logs

      Four months (February to May 2026, UTC) of a small, made-up GPU cluster called `lumen` and,
      from April, of a Kubernetes cluster the lab rents on AWS (`lumen-eks`): scheduler logs, GPU
      telemetry and cloud bills, with the registry, market prices and instance map that go with
      them. Try the ledger on it, then the trends over its months:

          scripts/ledger run --input sample-logs --out out/sample
          scripts/ledger trends --report out/sample --out out/trends

      Everything here is generated by `scripts/make-sample-logs` (the Java class
      `org.computeledger.devtools.SampleLogs`, seed 20260302) and is deterministic: rerun it and
      the files come out the same. Do not edit them by hand; change the generator. No file here
      is real data; the formats follow real samples of each tool's output.

      ## The story the months tell

      - **Growth.** Atlas begins on 2026-02-01: a first pre-training stage on three H100 nodes
        and, from 02-16, a small data-mix ablation on the A100 nodes. It pre-trains on three nodes
        through March (with a long-context stage on a fourth), on three and then two in April,
        and from mid-April distils the teacher on rented EKS nodes (two, then four in May), where
        its training has moved by May; three of the lab's own H100 nodes then stand idle. Its monthly compute grows about 12 % a month (2.4e22,
        2.6e22, 3.0e22, 3.3e22 FLOP), as a lab's would: `ledger trends` fits 3.9x a year (95 %
        interval 2.9-5.3) and projects when atlas's cumulative compute would cross each
        standard's threshold at that rate.
      - **A distillation.** `teacher-70b` pre-trains on gpu004 all February, is post-trained in
        March and again from April, and generates its logits for atlas on an EKS node in April;
        atlas distils from them. The paper's principles count the teacher's compute toward
        atlas; the EU AI Act does not.
      - **A discarded branch.** February's data-mix ablation (and March's learning-rate sweep) were
        dropped, and still count.
      - **A threshold approached.** By the end of May atlas has about 1.1e23 FLOP of its own
        (1.8e23 with the teacher's, under the paper's principles); at the rate fitted over its
        months (4.5x a year as the EU AI Act, SB 53 and RAISE count it),
        `trends_threshold_crossing` projects the EU's 10^25 in 2028-10 and the 10^26 of SB 53,
        RAISE and the paper's principles in 2030-04 (see also the cumulative chart).
      - **An instance replaced.** On 2026-05-13 at 14:00 the EKS node `ip-10-42-7-31` loses its
        instance; a new instance joins as `ip-10-42-11-40` and the failed pod is rerun there.
        `resources.csv` maps each instance id to its node for the time it served it.

      ## The clusters

      | node | GPUs | telemetry |
      |---|---|---|
      | gpu001-gpu004 | 8x H100 SXM 80GB | DCGM with profiling fields (tensor, FP16/32/64 pipes, SM and DRAM activity) |
      | gpu005-gpu006 | 4x A100-SXM4-80GB | DCGM without profiling fields: utilization, SM clock and power only |
      | l40s01 | 4x L40S | nvidia-smi CSV log |
      | gpu007 | 2x H100 SXM | none: only the scheduler knows what ran there |
      | ip-10-42-*.us-east-2.compute.internal (EKS, from April) | 8x H100 SXM (p5.48xlarge) | DCGM via the GPU operator, with the pods' labels |

      Telemetry is kept sparsely, as many labs keep it: 08:00-11:00 UTC of 2026-03-02 and
      08:00-10:00 of 03-03 every 30 s, and 09:00-09:15 of one day in each other month (2026-02-18,
      04-15, 05-13) every 60 s.
      Outside those hours the ledger falls back to the scheduler's allocations (the allocation
      method), so most of the sample's compute is counted that way.

      ## Files

      - `scheduler/sacct-2026-02-to-05.txt`: `sacct -a -S 2026-02-01 -E 2026-06-01 --parsable2` with
        a header; each job is followed by its `.batch`, `.extern` and `.0` steps. Times are UTC (run
        with the default `--scheduler-timezone UTC`). Long runs hit the one-day time limit
        (`TIMEOUT`) and are resubmitted a few minutes later, so each day is one job. GPU indices are
        not in sacct; on gpu004 and gpu006 the telemetry's `hpc_job` label says which GPUs a job held.
      - `scheduler/kubectl-pods-lumen-eks.json`: `kubectl get pods -A -o json` at the end of May: the
        pods of the EKS cluster's Kubernetes Jobs (namespace `atlas` or `teacher-70b`, label
        `branch`), one per node and three days (two for the teacher), each requesting 8 GPUs.
      - `telemetry/dcgm/<node>/<day>.prom.gz`: DCGM metrics, gzipped. The H100 and EKS nodes' files
        are a `promtool tsdb dump` (series by series, labels sorted by name so `__name__` is not
        first, values printed like `1.5152422938e+10`); the A100 nodes' files are `/federate` pulls
        appended at each scrape (a `# TYPE` line per family and pull). On the EKS nodes the exporter
        maps GPUs to pods; Prometheus, scraping it without `honor_labels`, puts the workload's pod in
        `exported_pod` and `exported_namespace`.
      - `telemetry/nvidia-smi/l40s01/<month>.csv`: `nvidia-smi --query-gpu=... --format=csv -l 30`
        appended while the logger ran; the header repeats where it restarted. The host is the
        folder name.
      - `telemetry/flop-counter/atlas-pretrain.csv`: CUPTI FLOP counts per minute for GPU 3 of
        gpu001 during atlas pre-training, 10:00-11:00 on 2026-03-02; they agree with the
        telemetry's tensor activity to within about 10 %.
      - `billing/focus-<month>.csv`: FOCUS 1.0 export of the Slurm cluster, one per month. Each node
        is an EC2 instance billed by the day (ResourceName is the node name; 8x H100 at the
        p5.48xlarge price of $98.32/h, smaller nodes at their share or a like-sized instance's
        price), plus tax and a support fee each month and a credit in March, which belong to no
        resource.
      - `billing/aws-cur2/BILLING_PERIOD=<month>/lumen-eks-00001.csv.gz`: AWS CUR 2.0 (Data Exports,
        gzip CSV) of the EKS account for April and May: hourly p5.48xlarge usage by instance id
        (`line_item_resource_id`), the EKS cluster fee and tax. The bill names instances, not nodes.
      - `resources.csv`: instance id → node name, with the time each instance served its node
        (`valid_from`, `valid_to`); the ledger matches the CUR lines to nodes through it.
      - `registry.yaml`: projects `atlas` (the model under accounting), `teacher-70b` (its
        distillation teacher), `base-1b` (an open model the lab released 2026-01-15, within six
        months before atlas began) and `base-350m` (released 2025-06-02, earlier than that), with
        branches matched by Slurm account, WCKey or comment, and the EKS branches by namespace and
        pod label. Atlas also uses `nimbus-8b-base`, an open model of another developer.
      - `prices.csv`: market prices per GPU-hour, for GPUs the bill does not cover.

      ## What a run should show

      - Atlas pre-training on gpu[001-003] runs from 2026-02-01 day after day (`TIMEOUT`, resumed),
        pauses on the evening of 03-01 for the teacher's last pre-training job (48101, all four
        nodes) and resumes on 03-02 (48102); from 04-18 on gpu[001-002], until 05-02. The teacher's
        post-training on gpu004 from April is still running when the log ends (`End` is
        `Unknown`), as are the last pods; gpu001-003 are idle from May (idle cost in the bill).
      - The learning-rate sweep is a job array (`48105_0` to `48105_3`, one of them `FAILED`),
        registered as a discarded branch, like February's data-mix ablation: both still count.
      - gpu004 is shared on 2026-03-02 and 03: atlas fine-tuning on GPUs 0-3 and base-1b on GPUs
        4-7 at the same time.
      - The refusal-tuning job on gpu007 matches by `Comment=branch=refusal-tuning`, is risk-only
        with a justification, and has no telemetry (allocation method).
      - The jailbreak-filter job on gpu007 (`Comment=branch=jailbreak-filter`) claims risk-only
        without a justification, so every standard that grants the exemption still counts it.
      - Under the paper's principles atlas's total takes in the teacher and base-1b but not
        base-350m, nimbus-8b-base or the justified refusal-tuning. The EU total leaves out the
        teacher, base-1b, the evaluations and the discarded branches, and counts refusal-tuning
        (the AI Act has no risk-only exemption); `methodology.md` lists the difference item by item.
      - Jobs of account `bio-ml` match no branch and are reported as `(unattributed)`.
      - Short failed and cancelled jobs (`FAILED`, `CANCELLED by 12345`), a job cancelled before
        it started (`Start` is `None`) and a job array cancelled while pending (`48145_[0-3]`).
      - Telemetry quirks: 21 minutes with no samples on gpu003 (10:20-10:41 on 2026-03-02), on
        gpu002 a power value `abc` and a utilization of 140 (both quarantined), one DCGM blank
        sentinel on gpu005, and one `[N/A]` power reading from nvidia-smi.
      - The bills have idle time (nodes are paid for around the clock), and tax, credit, support
        and the EKS fee that are not attributable to a GPU node. The CUR lines are matched to nodes
        by `resources.csv` (methodology.md, cost matched per provider and rule); the failed
        instance's hours bill `ip-10-42-7-31` up to 14:00 and its replacement's bill
        `ip-10-42-11-40` after.
      """;
}
