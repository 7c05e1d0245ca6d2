"""Opens HTML reports in headless Chromium and checks they render; see report-check.sh.

Arguments: pairs of REPORT.html SCREENSHOT.png."""
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

failures = []


def check(condition, message):
    print(("ok    " if condition else "FAIL  ") + message)
    if not condition:
        failures.append(message)


def browser(width, height):
    options = webdriver.ChromeOptions()
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--window-size={width},{height}"]:
        options.add_argument(flag)
    options.binary_location = "/usr/bin/chromium"
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


pairs = list(zip(sys.argv[1::2], sys.argv[2::2]))
for report, shot in pairs:
    name = report.rsplit("/", 1)[-1]
    driver = browser(1200, 1000)
    try:
        driver.get("file://" + report)
        check(not driver.find_elements(By.TAG_NAME, "script"), f"{name}: no script")
        charts = driver.find_elements(By.TAG_NAME, "svg")
        check(len(charts) >= 3, f"{name}: {len(charts)} charts")
        drawn = [c for c in charts if c.size["width"] > 100 and c.size["height"] > 100]
        check(len(drawn) == len(charts), f"{name}: every chart is laid out ({len(drawn)} of {len(charts)})")
        marks = driver.execute_script("return document.querySelectorAll('svg rect, svg polyline').length")
        lines = driver.execute_script("return document.querySelectorAll('svg polyline').length")
        bars = driver.execute_script("return document.querySelectorAll('svg rect').length") - len(charts)
        check(lines + bars >= 2 * len(charts), f"{name}: the charts draw lines and bars ({lines} lines, {bars} bars and legend keys)")
        images = driver.find_elements(By.TAG_NAME, "img")
        loaded = driver.execute_script("return Array.from(document.images).filter(i => i.complete && i.naturalWidth > 0).length")
        check(loaded == len(images), f"{name}: {loaded} of {len(images)} thumbnails decoded")
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1200, min(max(height + 200, 800), 8000))
        driver.save_screenshot(shot)
        print(f"      screenshot {shot}")
        driver.set_window_size(390, 844)
        overflow = driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        print(f"      phone width: {overflow} px of horizontal scroll (charts are fixed-size)")
    finally:
        driver.quit()
print(f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
