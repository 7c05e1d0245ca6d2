"""The AWS-compatible routes of a running `inspect serve`, called through boto3/botocore 1.35.99
exactly as code written for AWS calls them (only endpoint_url differs). Run by
tools/test-aws-clients.sh: check_boto3.py URL CREDENTIALS_FILE DATASETS_DIR PROJECT.
Prints one line per check and ends with 'N passed, N failed'; exits 1 on any failure."""
import configparser
import datetime
import io
import json
import os
import sys
import traceback
import urllib.error
import urllib.request

import boto3
import botocore
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

URL, CREDENTIALS, DATASETS, PROJECT = sys.argv[1:5]
parser = configparser.ConfigParser()
parser.read(CREDENTIALS)
KEY_ID = parser["default"]["aws_access_key_id"]
SECRET = parser["default"]["aws_secret_access_key"]
# One attempt, so each error reaches the check as the server sent it.
CONFIG = Config(region_name="us-east-1", retries={"max_attempts": 1, "mode": "standard"})


def client(service, secret=SECRET):
    return boto3.client(service, endpoint_url=URL, aws_access_key_id=KEY_ID, aws_secret_access_key=secret, config=CONFIG)


def photo(folder, index):
    directory = os.path.join(DATASETS, folder)
    names = sorted((n for n in os.listdir(directory) if n.lower().endswith((".png", ".jpg", ".jpeg"))),
                   key=lambda n: (len(n), n))
    with open(os.path.join(directory, names[index]), "rb") as f:
        return f.read()


# Photos the model did not train on (the script trains on the first 20 normal and 10 anomalous).
ANOMALOUS = photo("lookout-aliens/anomaly", 40)
NORMAL = photo("lookout-aliens/normal", 40)
PORTRAIT = open(os.path.join(DATASETS, "portraits", "obama.jpg"), "rb").read()
PASSENGER = {"age": "28", "sex": "female", "pclass": "2", "embarked": "S"}

passed, failed = 0, 0


def check(name):
    def run(function):
        global passed, failed
        try:
            detail = function()
            passed += 1
            print(f"ok    {name}" + (f": {detail}" if detail else ""), flush=True)
        except Exception:
            failed += 1
            print(f"FAIL  {name}\n" + traceback.format_exc(), flush=True)
        return function
    return run


def raises(call, exception_class, status):
    """`call` raises the modeled exception class botocore maps the code to, with `status`."""
    try:
        call()
    except exception_class as error:
        got = error.response["ResponseMetadata"]["HTTPStatusCode"]
        assert got == status, f"{error.response['Error']['Code']}: HTTP {got}, expected {status}"
        assert error.response["Error"]["Message"], "empty message"
        return f"{type(error).__name__} {got}"
    raise AssertionError(f"no {exception_class.__name__} raised")


def own_route(path, body, content_type):
    request = urllib.request.Request(URL + path, data=body, headers={"Content-Type": content_type}, method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


# -- Lookout for Vision --------------------------------------------------------------------
lookout = client("lookoutvision")


@check("lookoutvision.detect_anomalies on an anomalous aliens photo")
def _():
    result = lookout.detect_anomalies(ProjectName=PROJECT, ModelVersion="1", Body=ANOMALOUS, ContentType="image/png")["DetectAnomalyResult"]
    assert isinstance(result["IsAnomalous"], bool) and 0 <= result["Confidence"] <= 1, result
    assert [a["Name"] for a in result["Anomalies"]] == ["background", "anomaly"], result["Anomalies"]
    assert result["Anomalies"][1]["PixelAnomaly"]["Color"] == "#FF0000"
    mask = result["AnomalyMask"]
    assert isinstance(mask, bytes) and mask.startswith(b"\x89PNG\r\n\x1a\n"), "AnomalyMask is not PNG bytes"
    own = own_route(f"/v1/inspection/{PROJECT}/detect", ANOMALOUS, "image/png")
    assert (own["IsAnomalous"], own["Confidence"]) == (result["IsAnomalous"], result["Confidence"]), (own, result)
    return f"IsAnomalous={result['IsAnomalous']} Confidence={result['Confidence']} mask {len(mask)} bytes"


@check("lookoutvision.detect_anomalies on a normal photo, version 'latest': the same model, a lower score")
def _():
    result = lookout.detect_anomalies(ProjectName=PROJECT, ModelVersion="latest", Body=NORMAL, ContentType="image/png")["DetectAnomalyResult"]
    own = own_route(f"/v1/inspection/{PROJECT}/detect", NORMAL, "image/png")
    assert (own["IsAnomalous"], own["Confidence"]) == (result["IsAnomalous"], result["Confidence"]), (own, result)
    # Score is Inspect's own field, which botocore drops: compared through the /v1 route.
    anomalous = own_route(f"/v1/inspection/{PROJECT}/detect", ANOMALOUS, "image/png")
    assert own["Score"] < anomalous["Score"], (own["Score"], anomalous["Score"])
    return f"IsAnomalous={result['IsAnomalous']} Confidence={result['Confidence']}"


@check("lookoutvision: unknown project -> ResourceNotFoundException")
def _():
    return raises(lambda: lookout.detect_anomalies(ProjectName="no-such-project", ModelVersion="1", Body=NORMAL, ContentType="image/png"),
                  lookout.exceptions.ResourceNotFoundException, 404)


@check("lookoutvision: bad model version, wrong content type, not an image -> ValidationException")
def _():
    for kwargs in [dict(ModelVersion="0", Body=NORMAL, ContentType="image/png"),
                   dict(ModelVersion="1", Body=NORMAL, ContentType="image/gif"),
                   dict(ModelVersion="1", Body=b"not a picture", ContentType="image/png")]:
        raises(lambda: lookout.detect_anomalies(ProjectName=PROJECT, **kwargs), lookout.exceptions.ValidationException, 400)
    return "3 x ValidationException 400"


# -- Rekognition ---------------------------------------------------------------------------
rekognition = client("rekognition")


@check("rekognition.detect_faces on a portrait")
def _():
    faces = rekognition.detect_faces(Image={"Bytes": PORTRAIT}, Attributes=["ALL"])["FaceDetails"]
    assert len(faces) >= 1, faces
    face = faces[0]
    assert set(face["BoundingBox"]) == {"Width", "Height", "Left", "Top"}
    assert isinstance(face["AgeRange"]["Low"], int) and face["AgeRange"]["Low"] <= face["AgeRange"]["High"]
    assert face["Gender"]["Value"] == "Male", face["Gender"]
    assert {l["Type"] for l in face["Landmarks"]} >= {"eyeLeft", "eyeRight", "nose", "mouthLeft", "mouthRight"}
    default = rekognition.detect_faces(Image={"Bytes": PORTRAIT})["FaceDetails"][0]
    assert "AgeRange" not in default and "BoundingBox" in default
    return f"{len(faces)} face, AgeRange {face['AgeRange']}, Gender {face['Gender']['Value']}"


@check("rekognition: InvalidImageFormatException, ImageTooLargeException, InvalidS3ObjectException, InvalidParameterException")
def _():
    raises(lambda: rekognition.detect_faces(Image={"Bytes": b"not a picture"}), rekognition.exceptions.InvalidImageFormatException, 400)
    raises(lambda: rekognition.detect_faces(Image={"Bytes": os.urandom(5_300_000)}), rekognition.exceptions.ImageTooLargeException, 400)
    raises(lambda: rekognition.detect_faces(Image={"S3Object": {"Bucket": "photos", "Name": "me.jpg"}}),
           rekognition.exceptions.InvalidS3ObjectException, 400)
    raises(lambda: rekognition.detect_faces(Image={"Bytes": PORTRAIT}, Attributes=["MOOD"]), rekognition.exceptions.InvalidParameterException, 400)
    return "4 modeled exceptions, 400"


# -- Amazon Machine Learning ---------------------------------------------------------------
ml = client("machinelearning")


@check("machinelearning.predict with a passenger record")
def _():
    prediction = ml.predict(MLModelId="titanic-survival", Record=PASSENGER, PredictEndpoint=URL)["Prediction"]
    assert prediction["predictedLabel"] in ("0", "1"), prediction
    score = prediction["predictedScores"]["1"]
    assert 0 <= score <= 1 and prediction["details"]["PredictiveModelType"] == "BINARY", prediction
    own = own_route("/v1/survival/predict", json.dumps(PASSENGER).encode(), "application/json")["Prediction"]
    assert own["predictedScores"]["1"] == score, (own, prediction)
    return f"predictedLabel={prediction['predictedLabel']} predictedScores={prediction['predictedScores']}"


@check("machinelearning: ResourceNotFoundException, InvalidInputException")
def _():
    raises(lambda: ml.predict(MLModelId="ml-NoSuchModel", Record=PASSENGER, PredictEndpoint=URL), ml.exceptions.ResourceNotFoundException, 400)
    raises(lambda: ml.predict(MLModelId="titanic-survival", Record={"age": "30"}, PredictEndpoint=URL), ml.exceptions.InvalidInputException, 400)
    return "2 modeled exceptions, 400"


# -- SageMaker Runtime ---------------------------------------------------------------------
sagemaker = client("sagemaker-runtime")


@check("sagemaker-runtime.invoke_endpoint: CSV to the tabular model, a photo to the inspection model")
def _():
    response = sagemaker.invoke_endpoint(EndpointName="titanic-survival", ContentType="text/csv", Body=b"28,female,2,S")
    prediction = json.loads(response["Body"].read())["Prediction"]
    assert response["ContentType"] == "application/json" and response["InvokedProductionVariant"] == "AllTraffic"
    plain = sagemaker.invoke_endpoint(EndpointName="titanic-survival", ContentType="text/csv", Accept="text/csv", Body=b"28,female,2,S")
    assert float(plain["Body"].read()) == prediction["predictedScores"]["1"]
    image = sagemaker.invoke_endpoint(EndpointName=PROJECT, ContentType="image/png", Body=ANOMALOUS, CustomAttributes="mask=true")
    result = json.loads(image["Body"].read())
    assert isinstance(result["IsAnomalous"], bool) and "AnomalyMask" in result
    return f"survival score {prediction['predictedScores']['1']}, {PROJECT}: IsAnomalous={result['IsAnomalous']}"


@check("sagemaker-runtime: unknown endpoint -> ValidationError, a bad row -> ModelError")
def _():
    raises(lambda: sagemaker.invoke_endpoint(EndpointName="no-such-endpoint", ContentType="text/csv", Body=b"1"),
           sagemaker.exceptions.ValidationError, 400)
    try:
        sagemaker.invoke_endpoint(EndpointName="titanic-survival", ContentType="text/csv", Body=b"28,robot,3,S")
        raise AssertionError("no ModelError")
    except sagemaker.exceptions.ModelError as error:
        assert error.response["OriginalStatusCode"] == 400 and error.response["ResponseMetadata"]["HTTPStatusCode"] == 424, error.response
    return "ValidationError 400, ModelError 424 (OriginalStatusCode 400)"


# -- Signatures ----------------------------------------------------------------------------
@check("a wrong secret is refused with 403 InvalidSignatureException by every service")
def _():
    calls = {
        "lookoutvision": lambda c: c.detect_anomalies(ProjectName=PROJECT, ModelVersion="1", Body=NORMAL, ContentType="image/png"),
        "rekognition": lambda c: c.detect_faces(Image={"Bytes": PORTRAIT}),
        "machinelearning": lambda c: c.predict(MLModelId="titanic-survival", Record=PASSENGER, PredictEndpoint=URL),
        "sagemaker-runtime": lambda c: c.invoke_endpoint(EndpointName="titanic-survival", ContentType="text/csv", Body=b"28,male,3,S"),
    }
    for service, call in calls.items():
        try:
            call(client(service, secret="not-the-secret"))
            raise AssertionError(f"{service}: accepted a wrong secret")
        except ClientError as error:
            got = (error.response["ResponseMetadata"]["HTTPStatusCode"], error.response["Error"]["Code"])
            assert got == (403, "InvalidSignatureException"), f"{service}: {got}"
    return "4 services: 403 InvalidSignatureException (AWS's access-denied answer to a bad signature)"


def send(request):
    prepared = request.prepare()
    http = urllib.request.Request(prepared.url, data=prepared.body, headers=dict(prepared.headers), method=prepared.method)
    try:
        with urllib.request.urlopen(http, timeout=60) as response:
            return response.status, {}, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.load(error)


@check("unsigned and expired requests are refused with 403")
def _():
    path = f"{URL}/endpoints/titanic-survival/invocations"
    status, headers, _ = send(AWSRequest(method="POST", url=path, data=b"28,male,3,S", headers={"Content-Type": "text/csv"}))
    assert (status, headers.get("x-amzn-ErrorType")) == (403, "MissingAuthenticationTokenException"), (status, headers)

    class TenMinutesAgo:
        class datetime(datetime.datetime):
            @classmethod
            def utcnow(cls):
                return datetime.datetime.utcnow() - datetime.timedelta(minutes=10)

    request = AWSRequest(method="POST", url=path, data=b"28,male,3,S", headers={"Content-Type": "text/csv"})
    saved, botocore.auth.datetime = botocore.auth.datetime, TenMinutesAgo
    try:
        botocore.auth.SigV4Auth(Credentials(KEY_ID, SECRET), "sagemaker", "us-east-1").add_auth(request)
    finally:
        botocore.auth.datetime = saved
    status, headers, body = send(request)
    assert status == 403 and body.get("Message", "").startswith("Signature expired"), (status, body)
    return "MissingAuthenticationTokenException 403; InvalidSignatureException 403 'Signature expired'"


print(f"boto3 {boto3.__version__}, botocore {botocore.__version__}")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
