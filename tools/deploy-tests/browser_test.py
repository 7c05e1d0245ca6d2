"""Drives the page in headless Chromium; see tools/deploy-tests/browser-test.sh."""
import json
import os
import sys
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

url, datasets, shots = sys.argv[1], os.path.realpath(sys.argv[2]), sys.argv[3]
failures = []


def check(condition, message):
    print(("ok    " if condition else "FAIL  ") + message)
    if not condition:
        failures.append(message)


def post(path, body, content_type):
    request = urllib.request.Request(url.rstrip("/") + path, data=body, headers={"Content-Type": content_type})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def browser(width, height):
    options = webdriver.ChromeOptions()
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--window-size={width},{height}"]:
        options.add_argument(flag)
    options.binary_location = "/usr/bin/chromium"
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.get(url)
    WebDriverWait(driver, 20).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true")
    return driver


def visible(driver, element_id):
    return driver.find_element(By.ID, element_id).is_displayed()


def wait_text(driver, element_id, predicate, timeout=60):
    WebDriverWait(driver, timeout).until(lambda d: predicate(d.find_element(By.ID, element_id).text))
    return driver.find_element(By.ID, element_id).text


def expected_survival_verdict(answer):
    return "You would likely have survived" if answer["Prediction"]["predictedLabel"] == "1" else "You would likely not have survived"


driver = browser(1280, 1250)
try:
    check("Would you have survived the Titanic?" in driver.page_source, "page shows the survival panel")

    # The form: a 28-year-old man in third class from Southampton, then a woman in first.
    for age, sex, pclass, port in [(28, "male", "3", "S"), (30, "female", "1", "C")]:
        field = driver.find_element(By.ID, "age")
        field.clear()
        field.send_keys(str(age))
        Select(driver.find_element(By.ID, "sex")).select_by_value(sex)
        Select(driver.find_element(By.ID, "pclass")).select_by_value(pclass)
        Select(driver.find_element(By.ID, "embarked")).select_by_value(port)
        previous = driver.find_element(By.ID, "survival-detail").text
        driver.find_element(By.ID, "survival-submit").click()
        wait_text(driver, "survival-detail", lambda t: t and t != previous)
        answer = post("/v1/survival/predict", json.dumps({"age": age, "sex": sex, "pclass": int(pclass), "embarked": port}).encode(), "application/json")
        shown = driver.find_element(By.ID, "survival-verdict").text
        score = answer["Prediction"]["predictedScores"]["1"]
        check(shown == expected_survival_verdict(answer), f"form {age} {sex} class {pclass} {port}: shows '{shown}' as the API says")
        check(f"{100 * score:.1f}%" in driver.find_element(By.ID, "survival-detail").text, f"form shows the API's probability {100 * score:.1f}%")
    driver.save_screenshot(os.path.join(shots, "survival-form.png"))

    # The selfie, when the server has the face model.
    if visible(driver, "selfie-block"):
        portrait = os.path.join(datasets, "portraits", "obama.jpg")
        driver.find_element(By.ID, "selfie-input").send_keys(portrait)
        wait_text(driver, "survival-detail", lambda t: "face:" in t)
        boxes = driver.find_elements(By.CSS_SELECTOR, "#selfie-stage .box")
        check(len(boxes) == 1 and boxes[0].is_displayed(), "selfie: the face box is drawn")
        check(Select(driver.find_element(By.ID, "sex")).first_selected_option.get_attribute("value") == "male", "selfie: sex filled in as male")
        age = int(driver.find_element(By.ID, "age").get_attribute("value") or 0)
        check(25 <= age <= 80, f"selfie: age filled in ({age})")
        driver.save_screenshot(os.path.join(shots, "survival-selfie.png"))
    else:
        print("skip  selfie: the server offers no face model")

    # A product photo, when the server has an inspection model.
    if visible(driver, "inspect-panel"):
        model = Select(driver.find_element(By.ID, "inspect-model")).first_selected_option.get_attribute("value")
        for folder in ["anomaly", "normal"]:
            directory = os.path.join(datasets, "lookout-aliens", folder)
            photo = os.path.join(directory, sorted(os.listdir(directory), key=lambda n: (len(n), n))[-1])
            driver.execute_script("document.getElementById('inspect-input').value = ''")
            driver.find_element(By.ID, "inspect-input").send_keys(photo)
            shown = wait_text(driver, "inspect-verdict", lambda t: t in ("Anomalous", "Normal"))
            with open(photo, "rb") as f:
                answer = post(f"/v1/inspection/{model}/detect", f.read(), "image/png")
            check(shown == ("Anomalous" if answer["IsAnomalous"] else "Normal"), f"inspection {folder}/{os.path.basename(photo)}: shows '{shown}' as the API says")
            check(f"{100 * answer['Confidence']:.1f}%" in driver.find_element(By.ID, "inspect-detail").text, "inspection shows the API's confidence")
            WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, "inspect-mask").is_displayed())
            check(True, "inspection: the heat-map overlay is shown")
            driver.save_screenshot(os.path.join(shots, f"inspection-{folder}.png"))
    else:
        print("skip  inspection: the server offers no inspection model")
finally:
    driver.quit()

# Phone width: both panels stack, nothing overflows sideways.
phone = browser(390, 844)
try:
    overflow = phone.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
    check(overflow <= 0, f"phone width: no horizontal overflow ({overflow} px)")
    phone.save_screenshot(os.path.join(shots, "phone.png"))
finally:
    phone.quit()

print(f"{len(failures)} failure(s); screenshots in {shots}")
sys.exit(1 if failures else 0)
