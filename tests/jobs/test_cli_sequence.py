"""The user's sequence of issue 3, verbatim: the aws CLI (v1) and curl in a shell, then
the same through boto3 and an HTTP client."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import AwsCli, make_client
from tests.jobs import (
    ROLE_ARN,
    SSE,
    TERMINAL,
    create_pool,
    describe,
    raises_error,
    running_worker,
    wait_for_status,
)
from tests.jobs.csvs import users_csv
from tests.live import LiveServer

# The commands exactly as issue 3 gives them (the create spans two lines).
GET_CSV_HEADER = "aws cognito-idp get-csv-header --user-pool-id $POOL --endpoint-url $URL"
CREATE = (
    "aws cognito-idp create-user-import-job --user-pool-id $POOL --job-name MyImportJob \\\n"
    "    --cloud-watch-logs-role-arn arn:aws:iam::111111111111:role/CognitoCloudWatchLogsRole"
    " --endpoint-url $URL"
)
CURL = 'curl -v -T users.csv -H "x-amz-server-side-encryption:aws:kms" "$PRE_SIGNED_URL"'
_JOB = "--user-pool-id $POOL --job-id $JOB --endpoint-url $URL"
START = f"aws cognito-idp start-user-import-job {_JOB}"
DESCRIBE = f"aws cognito-idp describe-user-import-job {_JOB}"
LIST = (
    "aws cognito-idp list-user-import-jobs --user-pool-id $POOL --max-results 20"
    " --endpoint-url $URL"
)
STOP = f"aws cognito-idp stop-user-import-job {_JOB}"


class Shell:
    """Runs the commands as a user types them: bash, with the aws CLI of the test
    virtualenv first on PATH and the variables of the sequence in the environment."""

    def __init__(self, server: LiveServer, home: Path, pool: str) -> None:
        self.cwd = home
        self.env = {
            **AwsCli(server, home).env,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "POOL": pool,
            "URL": server.url,
        }

    def run(self, command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-c", command],
            env=self.env,
            cwd=self.cwd,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def json(self, command: str) -> Any:
        done = self.run(command)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def upload(self, body: bytes) -> None:
        """``curl -T`` verbatim when curl exists, else the same PUT from Python."""
        (self.cwd / "users.csv").write_bytes(body)
        if shutil.which("curl") is None:
            response = httpx.put(self.env["PRE_SIGNED_URL"], content=body, headers=SSE)
            assert response.status_code == 200, response.text
            return
        done = self.run(CURL)
        assert done.returncode == 0, done.stderr
        assert "< HTTP/1.1 200 OK" in done.stderr
        assert done.stdout == ""


def start_sequence(server: LiveServer, home: Path, rows: int) -> tuple[Shell, Any]:
    """get-csv-header, create-user-import-job, curl, start-user-import-job."""
    cognito = make_client(server)
    pool = create_pool(cognito)
    shell = Shell(server, home, pool)
    columns = shell.json(GET_CSV_HEADER)
    assert columns == {
        "UserPoolId": pool,
        "CSVHeader": cognito.get_csv_header(UserPoolId=pool)["CSVHeader"],
    }
    assert len(columns["CSVHeader"]) == 21
    created = shell.json(CREATE)["UserImportJob"]
    assert created["Status"] == "Created"
    assert created["JobName"] == "MyImportJob"
    assert created["CloudWatchLogsRoleArn"] == ROLE_ARN
    assert (created["ImportedUsers"], created["SkippedUsers"], created["FailedUsers"]) == (0, 0, 0)
    assert isinstance(created["CreationDate"], float)  # epoch seconds on the wire
    shell.env["JOB"] = created["JobId"]
    shell.env["PRE_SIGNED_URL"] = created["PreSignedUrl"]
    shell.upload(users_csv(columns["CSVHeader"], rows))
    started = shell.json(START)["UserImportJob"]
    assert started["Status"] == "Pending"
    assert started["StartDate"] >= created["CreationDate"]
    assert started == {**created, "Status": "Pending", "StartDate": started["StartDate"]}
    return shell, started


def test_the_cli_sequence_with_the_job_waiting(database: str, tmp_path: Path) -> None:
    # No worker runs, so the job waits in Pending and the final stop stops it.
    with LiveServer(database, tmp_path / "data", run_worker=False) as server:
        shell, started = start_sequence(server, tmp_path, rows=2)
        assert shell.json(DESCRIBE) == {"UserImportJob": started}
        assert shell.json(LIST) == {"UserImportJobs": [started]}
        stopped = shell.json(STOP)["UserImportJob"]
        assert stopped["Status"] == "Stopped"
        assert stopped["CompletionMessage"] == "The Import Job was stopped by the developer."
        assert stopped["CompletionDate"] >= started["StartDate"]
        assert shell.json(DESCRIBE) == {"UserImportJob": stopped}


def test_the_cli_sequence_with_the_job_imported(server: LiveServer, tmp_path: Path) -> None:
    shell, started = start_sequence(server, tmp_path, rows=3)
    cognito = make_client(server)
    pool, job_id = shell.env["POOL"], shell.env["JOB"]
    wait_for_status(cognito, pool, job_id, ["Succeeded"])
    done = shell.json(DESCRIBE)["UserImportJob"]
    assert done["Status"] == "Succeeded"
    assert done["CompletionMessage"] == "Import Job Completed Successfully."
    assert (done["ImportedUsers"], done["SkippedUsers"], done["FailedUsers"]) == (3, 0, 0)
    assert done["StartDate"] >= started["StartDate"]
    assert done["CompletionDate"] >= done["StartDate"]
    assert shell.json(LIST) == {"UserImportJobs": [done]}
    refused = shell.run(STOP)
    assert refused.returncode == 255
    assert refused.stderr == (
        "\nAn error occurred (PreconditionNotMetException) when calling the StopUserImportJob "
        f"operation: Import job {job_id} cannot be stopped: its status is Succeeded.\n"
    )
    assert shell.json(DESCRIBE) == {"UserImportJob": done}


def test_the_same_sequence_through_boto3(database: str, tmp_path: Path) -> None:
    with LiveServer(database, tmp_path / "data", run_worker=False) as server:
        cognito = make_client(server)
        pool = create_pool(cognito)
        columns = cognito.get_csv_header(UserPoolId=pool)["CSVHeader"]
        job = cognito.create_user_import_job(
            UserPoolId=pool, JobName="MyImportJob", CloudWatchLogsRoleArn=ROLE_ARN
        )["UserImportJob"]
        upload = httpx.put(job["PreSignedUrl"], content=users_csv(columns, 2), headers=SSE)
        assert upload.status_code == 200
        started = cognito.start_user_import_job(UserPoolId=pool, JobId=job["JobId"])
        assert started["UserImportJob"]["Status"] == "Pending"
        assert describe(cognito, pool, job["JobId"]) == started["UserImportJob"]
        listing = cognito.list_user_import_jobs(UserPoolId=pool, MaxResults=20)
        assert listing["UserImportJobs"] == [started["UserImportJob"]]
        with running_worker(server.rt):
            done = wait_for_status(cognito, pool, job["JobId"], TERMINAL)
        assert (done["Status"], done["ImportedUsers"]) == ("Succeeded", 2)
        raises_error(
            "PreconditionNotMetException",
            f"Import job {job['JobId']} cannot be stopped: its status is Succeeded.",
            cognito.stop_user_import_job,
            UserPoolId=pool,
            JobId=job["JobId"],
        )
        users = sorted(u["Username"] for u in cognito.list_users(UserPoolId=pool)["Users"])
        assert users == ["user0", "user1"]
