"""`talentbridge demo`: a believable programme (organisations, people, vacancies, history).

Everything is planned first from one seeded `random.Random`, embedded in batches outside any
transaction, then written in one transaction through the real services: organisations and
keys through organisations.service, every pipeline step through placements.service (backdated
with `at=`), so consent, openings and one-placement-per-person hold as they do for users.
Shortlists only ever pair a candidate with a vacancy that passes the matching engine's gates.
Running it again finds the marker organisation, leaves the data alone and prints fresh keys.
"""

import heapq
import math
import random
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from difflib import SequenceMatcher
from functools import cache
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tqdm import tqdm

from talentbridge import reference
from talentbridge.audit import service as audit
from talentbridge.audit.models import AuditEntry
from talentbridge.candidates.models import Candidate
from talentbridge.config import Settings
from talentbridge.db import make_engine, session_scope
from talentbridge.matching.derived import refresh_derived_fields
from talentbridge.matching.engine import gate_masks
from talentbridge.matching.features import CANDIDATE_COLUMNS, candidate_features, vacancy_features
from talentbridge.matching.text import candidate_text, vacancy_text
from talentbridge.matching.toolkit import Toolkit
from talentbridge.organisations import service as organisation_service
from talentbridge.organisations.models import Organisation, OrgKind
from talentbridge.organisations.schemas import OrganisationCreate
from talentbridge.placements import service as placement_service
from talentbridge.placements.models import Placement, Stage
from talentbridge.reference.esco import Occupation
from talentbridge.vacancies import service as vacancy_service
from talentbridge.vacancies.models import Vacancy
from talentbridge.vacancies.schemas import VacancyUpdate

MARKER = "TalentBridge demo officers"
SEED_ACTION = "demo_seed"  # audit action naming the organisations the demo created
HISTORY_MONTHS = 18
BASE_URL = "http://127.0.0.1:8000"
EMBED_BATCH = 256
GROWTH = 1.6  # exponential growth of registrations over the history window (about 5x)
VACANCY_GROWTH = 2.2  # vacancies grow faster: most of today's listings are recent

# --- places -------------------------------------------------------------------------------
# Partner states and prefectures come from reference data; these are the demo's extra picks.
OTHER_STATES = (
    "Kerala",
    "Maharashtra",
    "Odisha",
    "Bihar",
    "Rajasthan",
    "West Bengal",
    "Karnataka",
    "Telangana",
    "Assam",
)
OTHER_PREFECTURES = (
    "Aichi",
    "Osaka",
    "Hokkaido",
    "Fukuoka",
    "Kumamoto",
    "Ibaraki",
    "Gunma",
    "Nagano",
    "Gifu",
    "Hiroshima",
    "Niigata",
    "Kagoshima",
)
INSTITUTES_PER_PARTNER_STATE = 3
OTHER_INSTITUTES = 8
EMPLOYERS_PER_PARTNER_PREFECTURE = 6
EMPLOYERS_PER_NETWORK_PREFECTURE = 4
EMPLOYERS_PER_OTHER_PREFECTURE = 2

CITIES = {
    "Uttar Pradesh": ("Lucknow", "Kanpur", "Varanasi", "Prayagraj", "Gorakhpur", "Agra", "Meerut"),
    "Gujarat": ("Ahmedabad", "Vadodara", "Surat", "Rajkot", "Bhavnagar", "Anand"),
    "Andhra Pradesh": ("Visakhapatnam", "Vijayawada", "Guntur", "Tirupati", "Kakinada", "Nellore"),
    "Tamil Nadu": ("Chennai", "Coimbatore", "Madurai", "Tiruchirappalli", "Salem", "Tirunelveli"),
    "Kerala": ("Kochi", "Thiruvananthapuram", "Kozhikode", "Thrissur"),
    "Maharashtra": ("Pune", "Nagpur", "Nashik", "Aurangabad"),
    "Odisha": ("Bhubaneswar", "Cuttack", "Berhampur"),
    "Bihar": ("Patna", "Gaya", "Muzaffarpur"),
    "Rajasthan": ("Jaipur", "Jodhpur", "Kota"),
    "West Bengal": ("Kolkata", "Durgapur", "Siliguri"),
    "Karnataka": ("Bengaluru", "Mysuru", "Hubballi"),
    "Telangana": ("Hyderabad", "Warangal", "Karimnagar"),
    "Assam": ("Guwahati", "Jorhat", "Dibrugarh"),
}
TOWNS = {
    "Yamanashi": ("Kofu", "Fujiyoshida", "Fuefuki", "Nirasaki", "Tsuru"),
    "Shizuoka": ("Hamamatsu", "Numazu", "Fuji", "Iwata", "Yaizu", "Kakegawa"),
    "Toyama": ("Takaoka", "Toyama", "Uozu", "Tonami", "Imizu"),
    "Ehime": ("Matsuyama", "Imabari", "Niihama", "Saijo", "Uwajima"),
    "Tottori": ("Yonago", "Kurayoshi", "Tottori", "Sakaiminato"),
    "Miyagi": ("Sendai", "Ishinomaki", "Osaki", "Natori"),
    "Iwate": ("Morioka", "Hanamaki", "Kitakami", "Ichinoseki"),
    "Aichi": ("Toyota", "Okazaki", "Kariya", "Toyohashi"),
    "Osaka": ("Higashiosaka", "Sakai", "Yao"),
    "Hokkaido": ("Obihiro", "Asahikawa", "Kitami"),
    "Fukuoka": ("Kitakyushu", "Kurume", "Iizuka"),
    "Kumamoto": ("Yatsushiro", "Kikuchi", "Tamana"),
    "Ibaraki": ("Hitachi", "Tsukuba", "Hokota"),
    "Gunma": ("Ota", "Isesaki", "Maebashi"),
    "Nagano": ("Matsumoto", "Ueda", "Saku"),
    "Gifu": ("Ogaki", "Seki", "Kakamigahara"),
    "Hiroshima": ("Fukuyama", "Kure", "Higashihiroshima"),
    "Niigata": ("Nagaoka", "Sanjo", "Tsubame"),
    "Kagoshima": ("Kanoya", "Satsumasendai", "Kirishima"),
}
# Prefectures known for a sector get more of its employers (a believable mix, not a fact base).
SECTOR_LEANING = {
    "manufacturing": {
        "Aichi",
        "Shizuoka",
        "Toyama",
        "Gunma",
        "Osaka",
        "Gifu",
        "Niigata",
        "Hiroshima",
    },
    "agriculture": {
        "Hokkaido",
        "Kumamoto",
        "Ibaraki",
        "Ehime",
        "Yamanashi",
        "Kagoshima",
        "Nagano",
        "Iwate",
    },
    "construction": {"Miyagi", "Iwate", "Fukuoka", "Osaka"},
    "care": {"Tottori", "Ehime", "Yamanashi", "Nagano"},
}
SECTOR_SHARES = {"care": 0.30, "construction": 0.22, "manufacturing": 0.32, "agriculture": 0.16}

# --- names ----------------------------------------------------------------------------------
_NORTH_M = (
    "Rahul",
    "Amit",
    "Vikas",
    "Sandeep",
    "Ankit",
    "Saurabh",
    "Deepak",
    "Manish",
    "Rohit",
    "Ajay",
    "Pankaj",
    "Vivek",
    "Anuj",
    "Shivam",
    "Abhishek",
    "Gaurav",
    "Rakesh",
    "Imran",
    "Arif",
    "Faizan",
    "Nitin",
    "Prashant",
)
_NORTH_F = (
    "Priya",
    "Pooja",
    "Neha",
    "Anjali",
    "Kavita",
    "Sunita",
    "Shalini",
    "Ritu",
    "Komal",
    "Nisha",
    "Sapna",
    "Rekha",
    "Poonam",
    "Aarti",
    "Khushboo",
    "Shabnam",
    "Nazia",
    "Swati",
    "Preeti",
    "Jyoti",
)
_SOUTH_TE_M = (
    "Venkatesh",
    "Srinivas",
    "Ravi Teja",
    "Naveen",
    "Sai Kumar",
    "Chaitanya",
    "Kiran",
    "Praveen",
    "Suresh",
    "Harish",
    "Vamsi",
    "Anil",
    "Naresh",
    "Gopi",
    "Mahesh",
)
_SOUTH_TE_F = (
    "Lakshmi",
    "Sravani",
    "Divya",
    "Swathi",
    "Bhavani",
    "Keerthi",
    "Sirisha",
    "Anusha",
    "Haritha",
    "Mounika",
    "Sowmya",
    "Pavani",
    "Navya",
    "Durga",
)
NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "Uttar Pradesh": (
        _NORTH_M,
        _NORTH_F,
        (
            "Yadav",
            "Verma",
            "Mishra",
            "Tiwari",
            "Pandey",
            "Maurya",
            "Srivastava",
            "Shukla",
            "Dubey",
            "Chauhan",
            "Kushwaha",
            "Ansari",
            "Khan",
            "Siddiqui",
            "Gupta",
            "Singh",
            "Prajapati",
            "Jaiswal",
        ),
    ),
    "Bihar": (
        _NORTH_M,
        _NORTH_F,
        (
            "Kumar",
            "Jha",
            "Sinha",
            "Paswan",
            "Mandal",
            "Yadav",
            "Prasad",
            "Singh",
            "Choudhary",
            "Thakur",
            "Kumari",
        ),
    ),
    "Rajasthan": (
        _NORTH_M,
        _NORTH_F,
        (
            "Meena",
            "Rathore",
            "Choudhary",
            "Sharma",
            "Shekhawat",
            "Bishnoi",
            "Saini",
            "Gurjar",
            "Jangid",
        ),
    ),
    "Gujarat": (
        (
            "Hardik",
            "Jignesh",
            "Bhavesh",
            "Chirag",
            "Parth",
            "Harsh",
            "Dhruv",
            "Ketan",
            "Mehul",
            "Alpesh",
            "Jay",
            "Kalpesh",
            "Yash",
            "Sahil",
            "Nilesh",
        ),
        (
            "Hetal",
            "Krupa",
            "Dhara",
            "Bhumi",
            "Jinal",
            "Nirali",
            "Khushi",
            "Riddhi",
            "Mansi",
            "Payal",
            "Foram",
            "Nidhi",
            "Urvi",
            "Komal",
        ),
        (
            "Patel",
            "Shah",
            "Desai",
            "Parmar",
            "Solanki",
            "Chauhan",
            "Rathod",
            "Joshi",
            "Trivedi",
            "Mehta",
            "Makwana",
            "Vaghela",
            "Prajapati",
            "Thakor",
            "Bhatt",
            "Chaudhari",
            "Gohil",
        ),
    ),
    "Maharashtra": (
        (
            "Sagar",
            "Omkar",
            "Tushar",
            "Prathamesh",
            "Sachin",
            "Amol",
            "Mahesh",
            "Ganesh",
            "Swapnil",
            "Akshay",
            "Rohan",
            "Vaibhav",
        ),
        (
            "Snehal",
            "Sayali",
            "Pranali",
            "Ashwini",
            "Rutuja",
            "Shraddha",
            "Vaishnavi",
            "Priyanka",
            "Pooja",
        ),
        (
            "Patil",
            "Jadhav",
            "Pawar",
            "Shinde",
            "Kale",
            "More",
            "Deshmukh",
            "Kulkarni",
            "Gaikwad",
            "Chavan",
            "Bhosale",
            "Kamble",
            "Salunkhe",
        ),
    ),
    "Andhra Pradesh": (
        _SOUTH_TE_M,
        _SOUTH_TE_F,
        (
            "Reddy",
            "Naidu",
            "Rao",
            "Chowdary",
            "Varma",
            "Raju",
            "Setty",
            "Bandi",
            "Kolli",
            "Kondapalli",
            "Gorantla",
            "Nallamothu",
            "Katta",
            "Palla",
        ),
    ),
    "Telangana": (
        _SOUTH_TE_M,
        _SOUTH_TE_F,
        ("Reddy", "Rao", "Goud", "Yadav", "Naik", "Kumar", "Chary", "Mudiraj", "Gouda"),
    ),
    "Tamil Nadu": (
        (
            "Karthik",
            "Arun",
            "Vignesh",
            "Prakash",
            "Senthil",
            "Murugan",
            "Balaji",
            "Dinesh",
            "Saravanan",
            "Manikandan",
            "Ramesh",
            "Gokul",
            "Hari",
            "Surya",
            "Vijay",
            "Ajith",
        ),
        (
            "Divya",
            "Lakshmi",
            "Kavya",
            "Meena",
            "Nandhini",
            "Revathi",
            "Sangeetha",
            "Deepa",
            "Gayathri",
            "Janani",
            "Keerthana",
            "Abinaya",
            "Pavithra",
            "Sowmya",
        ),
        (
            "Ramasamy",
            "Subramanian",
            "Murugan",
            "Krishnan",
            "Rajendran",
            "Selvam",
            "Pandian",
            "Arumugam",
            "Natarajan",
            "Kannan",
            "Shanmugam",
            "Palanisamy",
            "Duraisamy",
            "Ganesan",
        ),
    ),
    "Kerala": (
        (
            "Anoop",
            "Arjun",
            "Abhijith",
            "Jithin",
            "Nithin",
            "Vishnu",
            "Akhil",
            "Sreejith",
            "Midhun",
            "Jobin",
            "Muhammed",
            "Ashik",
            "Fahad",
        ),
        (
            "Anju",
            "Aswathy",
            "Athira",
            "Reshma",
            "Sruthi",
            "Neethu",
            "Jisha",
            "Lekshmi",
            "Anjana",
            "Merin",
            "Jincy",
            "Shilpa",
            "Fathima",
            "Sneha",
        ),
        (
            "Nair",
            "Menon",
            "Pillai",
            "Kurup",
            "Thomas",
            "Joseph",
            "Varghese",
            "Mathew",
            "Kurian",
            "George",
            "Abraham",
            "Nambiar",
            "Panicker",
            "Koshy",
            "Rasheed",
            "Basheer",
        ),
    ),
    "Karnataka": (
        (
            "Manjunath",
            "Prajwal",
            "Kiran",
            "Chethan",
            "Shivakumar",
            "Darshan",
            "Naveen",
            "Santosh",
            "Girish",
            "Raghavendra",
        ),
        ("Kavya", "Shwetha", "Pallavi", "Bhoomika", "Rashmi", "Chaitra", "Spoorthi", "Sahana"),
        (
            "Gowda",
            "Shetty",
            "Hegde",
            "Naik",
            "Rao",
            "Kulkarni",
            "Patil",
            "Bhat",
            "Achar",
            "Poojary",
        ),
    ),
    "Odisha": (
        (
            "Debasis",
            "Soumya Ranjan",
            "Bikash",
            "Prasanta",
            "Sanjay",
            "Satyajit",
            "Manas",
            "Jagannath",
            "Ashis",
            "Pradeep",
        ),
        (
            "Subhashree",
            "Sasmita",
            "Puja",
            "Lipsa",
            "Sushree",
            "Pragyan",
            "Smruti",
            "Mamata",
            "Itishree",
        ),
        (
            "Mohanty",
            "Behera",
            "Das",
            "Sahoo",
            "Nayak",
            "Pradhan",
            "Panda",
            "Jena",
            "Swain",
            "Rout",
            "Patra",
            "Biswal",
            "Mallick",
        ),
    ),
    "West Bengal": (
        (
            "Arijit",
            "Subhajit",
            "Sourav",
            "Debojyoti",
            "Anirban",
            "Ritam",
            "Pritam",
            "Sayan",
            "Rajib",
            "Tanmoy",
        ),
        (
            "Sreeparna",
            "Moumita",
            "Tanushree",
            "Priyanka",
            "Riya",
            "Payel",
            "Sudeshna",
            "Rimpa",
            "Ananya",
            "Rupa",
        ),
        (
            "Das",
            "Ghosh",
            "Chatterjee",
            "Mukherjee",
            "Banerjee",
            "Sen",
            "Roy",
            "Mondal",
            "Saha",
            "Biswas",
            "Sarkar",
            "Dey",
            "Bose",
            "Haldar",
        ),
    ),
    "Assam": (
        (
            "Bhaskar",
            "Dipankar",
            "Hiranya",
            "Pranjal",
            "Nayan",
            "Bikram",
            "Jyotirmoy",
            "Rupam",
            "Abhijit",
            "Kaushik",
        ),
        (
            "Bornali",
            "Dipshikha",
            "Pallabi",
            "Jahnabi",
            "Trishna",
            "Himashree",
            "Ankita",
            "Priyanka",
        ),
        (
            "Bora",
            "Baruah",
            "Gogoi",
            "Saikia",
            "Hazarika",
            "Kalita",
            "Deka",
            "Das",
            "Sarma",
            "Phukan",
            "Rajkhowa",
        ),
    ),
}
FEMALE_SHARE = {"care": 0.7, "construction": 0.05, "manufacturing": 0.2, "agriculture": 0.25}

INSTITUTE_PATTERNS = (
    "{city} Nihongo and Skills Academy",
    "{city} Institute of Japanese Language and Vocational Training",
    "Sakura Skill Development Centre, {city}",
    "{city} Kaigo Care Training Institute",
    "Nippon Bridge Skills Centre, {city}",
    "{city} Japan Career Academy",
    "Fuji Technical Training Institute, {city}",
    "{city} Overseas Employment Skills Centre",
)
JP_SURNAMES = (
    "Yamada",
    "Sato",
    "Suzuki",
    "Takahashi",
    "Tanaka",
    "Watanabe",
    "Ito",
    "Nakamura",
    "Kobayashi",
    "Kato",
    "Yoshida",
    "Yamamoto",
    "Sasaki",
    "Inoue",
    "Kimura",
    "Hayashi",
    "Shimizu",
    "Mori",
    "Ikeda",
    "Hashimoto",
    "Ishikawa",
    "Ogawa",
    "Fujita",
    "Okada",
    "Goto",
    "Hasegawa",
    "Murakami",
    "Kondo",
    "Sakamoto",
    "Endo",
    "Aoki",
    "Fujii",
    "Nishimura",
    "Fukuda",
    "Miura",
    "Okamoto",
    "Matsuda",
    "Nakagawa",
)
JP_WORDS = (
    "Sakura",
    "Aoba",
    "Midori",
    "Hikari",
    "Kaede",
    "Asahi",
    "Hinode",
    "Yamabuki",
    "Wakaba",
    "Tsubaki",
    "Kibo",
    "Minori",
    "Nozomi",
    "Matsukaze",
    "Hoshizora",
    "Seiryu",
)
EMPLOYER_PATTERNS = {
    "care": (
        "Shakai Fukushi Hojin {word}-kai",
        "{word} no Sato Care Home",
        "{town} {word} Kaigo Center",
        "Group Home {word} {town}",
        "Tokuyo {word}-en",
    ),
    "construction": (
        "{surname} Kensetsu Co., Ltd.",
        "{town} {word} Komuten",
        "{surname}-gumi",
        "{surname} Doboku Co., Ltd.",
        "{word} Setsubi Kogyo K.K.",
    ),
    "manufacturing": (
        "{surname} Seisakusho Co., Ltd.",
        "{town} Seimitsu Kogyo K.K.",
        "{word} Denki Co., Ltd.",
        "{surname} Kinzoku Kogyo K.K.",
        "{town} Mekki Kogyo Co., Ltd.",
        "{surname} Tekko K.K.",
    ),
    "agriculture": (
        "{surname} Nojo",
        "{town} {word} Farm",
        "Nogyo Hojin {word} Agri",
        "{surname} Chikusan K.K.",
        "{town} Engei Co., Ltd.",
    ),
}

# --- occupations: ESCO labels typical of each SSW field, with weights -----------------------
OCCUPATION_WEIGHTS = {
    "care": {
        "care home worker": 5,
        "residential home older adult care worker": 4,
        "healthcare assistant": 4,
        "nurse assistant": 3,
        "home care aide": 3,
        "social care worker": 2,
        "adult community care worker": 1,
        "disability support worker": 1,
    },
    "construction": {
        "building construction worker": 4,
        "carpenter": 3,
        "construction scaffolder": 3,
        "civil engineering worker": 3,
        "excavator operator": 2,
        "plasterer": 2,
        "concrete finisher": 2,
        "building electrician": 2,
        "plumber": 2,
        "road construction worker": 2,
        "construction painter": 2,
        "bricklayer": 1,
        "roofer": 1,
        "tile fitter": 1,
        "insulation worker": 1,
        "heating and ventilation service installer": 1,
        "demolition worker": 1,
    },
    "manufacturing": {
        "welder": 4,
        "computer numerical control machine operator": 4,
        "electrical equipment assembler": 3,
        "electronic equipment assembler": 3,
        "industrial machinery assembler": 3,
        "motor vehicle parts assembler": 3,
        "sheet metal worker": 2,
        "wire harness assembler": 2,
        "electroplating machine operator": 2,
        "injection moulding operator": 2,
        "stamping press operator": 2,
        "printed circuit board assembler": 2,
        "product quality inspector": 2,
        "lathe and turning machine operator": 2,
        "factory hand": 2,
        "foundry moulder": 1,
        "metal polisher": 1,
        "coating machine operator": 1,
        "deburring machine operator": 1,
        "spot welder": 1,
        "milling machine operator": 1,
    },
    "agriculture": {
        "crop production worker": 5,
        "fruit and vegetable picker": 3,
        "horticulture worker": 3,
        "livestock worker": 3,
        "mixed farmer": 2,
        "poultry breeder": 1,
        "cattle breeder": 1,
        "pig breeder": 1,
        "land-based machinery operator": 1,
        "garden labourer": 1,
        "fruit production team leader": 1,
    },
}

# --- people and jobs ------------------------------------------------------------------------
LEVEL_WEIGHTS = {None: 2, "N5": 33, "N4": 45, "N3": 16, "N2": 4}
WAGES = {
    "care": (190, 250),
    "construction": (210, 300),
    "manufacturing": (190, 270),
    "agriculture": (180, 230),
}  # thousand JPY a month
OPENINGS_WEIGHTS = {1: 5, 2: 10, 3: 13, 4: 15, 5: 15, 6: 14, 7: 14, 8: 14}
SECTOR_NOTES = {
    "care": (
        "Comfortable helping elderly residents with meals, bathing and moving safely.",
        "Cared for a bedridden grandparent and volunteers at a local old-age home.",
        "Completed a hospital ward internship with night shifts.",
    ),
    "construction": (
        "Used to site safety routines and working at height with a harness.",
        "Worked on housing and road projects with mixed crews.",
        "Reads simple drawings and keeps tools and materials in order.",
    ),
    "manufacturing": (
        "Reads technical drawings and follows quality checklists.",
        "Used to shift work on a production line with 5S routines.",
        "Holds an ITI certificate and has run machines under supervision.",
    ),
    "agriculture": (
        "Grew up on a family farm growing rice, vegetables and pulses.",
        "Handles tractors, sprayers and drip irrigation.",
        "Has looked after dairy cattle and poultry since school.",
    ),
}
SUPPORT_NOTES = (
    "Company dormitory near the workplace; Japanese lessons twice a week.",
    "A registered support organisation helps with arrival, housing and a bank account.",
    "Overtime paid; the outbound flight is covered and a Hindi-speaking mentor helps "
    "in the first months.",
    "Shared apartment provided at a subsidised rent; bicycle to commute.",
    "Paid holidays from the first year; support plan in English and Japanese.",
)
REJECTIONS = {
    Stage.shortlisted: ("experience does not fit the role", "another applicant was a closer fit"),
    Stage.interviewing: (
        "another candidate was preferred",
        "Japanese conversation not yet enough for the team",
    ),
    Stage.visa_processing: ("certificate of eligibility not granted",),
}
WITHDRAWALS = (
    "accepted another offer",
    "family reasons",
    "decided to continue studies",
    "chose to wait for a partner-prefecture vacancy",
)
FULL = "all openings filled"


@dataclass
class OrgSpec:
    kind: str
    name: str
    state: str | None = None
    prefecture: str | None = None
    town: str | None = None
    sector: str | None = None


@dataclass
class Seeker:
    """A candidate being planned: the ORM row plus what the simulation needs."""

    record: Candidate
    institute: int
    registered: datetime
    occupation: Occupation
    free_from: datetime
    placed: bool = False


@dataclass
class Job:
    """A vacancy being planned: the ORM row plus its posting, intake and commitments."""

    record: Vacancy
    employer: int
    posted: datetime
    intake: date
    occupation: Occupation
    interval_days: float
    committed: int = 0
    tried: set[int] = field(default_factory=set)
    eligible: list[int] = field(default_factory=list)


@dataclass
class Step:
    to: str
    at: datetime
    by_institute: bool = False
    reason: str | None = None


@dataclass
class Pipeline:
    seeker: int
    job: int
    shortlisted: datetime
    steps: list[Step]


@dataclass
class Plan:
    institutes: list[OrgSpec]
    employers: list[OrgSpec]
    seekers: list[Seeker]
    jobs: list[Job]
    pipelines: list[Pipeline]
    to_close: list[int]


@dataclass
class DemoSummary:
    """What the demo left in the database, and the keys to look at it with."""

    created: bool
    seed: int
    institutes: int
    employers: int
    candidates: int
    vacancies: int
    open_vacancies: int
    placements: int
    placed: int
    stages: dict[str, int]
    officer_key: str
    institute_key: str
    employer_key: str
    institute_name: str
    employer_name: str
    vacancy_id: int | None
    seconds: float = 0.0


# --- small random helpers --------------------------------------------------------------------
def _weighted(rng: random.Random, weights: Mapping[Any, float]) -> Any:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _quota(rng: random.Random, n: int, shares: dict[str, float]) -> list[str]:
    """n sector labels in the given shares, each sector at least once when n allows, shuffled."""
    counts = {s: max(1 if n >= len(shares) else 0, round(n * share)) for s, share in shares.items()}
    largest = max(counts, key=lambda s: counts[s])
    counts[largest] += n - sum(counts.values())
    labels = [s for s, c in counts.items() for _ in range(c)]
    rng.shuffle(labels)
    return labels


def _growing_moment(
    rng: random.Random, start: datetime, end: datetime, growth: float = GROWTH
) -> datetime:
    """A moment in [start, end), denser towards the end (activity grows exponentially)."""
    u = rng.random()
    x = math.log1p(u * math.expm1(growth)) / growth
    return start + (end - start) * x


def _at_work(day: date, rng: random.Random) -> datetime:
    """A moment in Japanese or Indian office hours on that day, in UTC."""
    return datetime.combine(day, clock(rng.randint(0, 10), rng.randint(0, 59)), tzinfo=UTC)


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


# --- organisations ---------------------------------------------------------------------------
def plan_institutes(rng: random.Random) -> list[OrgSpec]:
    """Three institutes in each partner state, then one in each of eight other states."""
    partner_states = sorted({s for s, _ in reference.partnerships()})
    states = [s for s in partner_states for _ in range(INSTITUTES_PER_PARTNER_STATE)]
    states += rng.sample([s for s in OTHER_STATES if s not in partner_states], OTHER_INSTITUTES)
    names: set[str] = set()
    out = []
    for state in states:
        while True:
            city = rng.choice(CITIES[state])
            name = rng.choice(INSTITUTE_PATTERNS).format(city=city)
            if name not in names:
                break
        names.add(name)
        out.append(OrgSpec(kind=OrgKind.institute, name=name, state=state, town=city))
    return out


def plan_employers(rng: random.Random) -> list[OrgSpec]:
    """Employers in partner prefectures, the rest of the Governors' Network and elsewhere."""
    partners = sorted({p for _, p in reference.partnerships()})
    network = sorted(reference.governors_network() - set(partners))
    prefectures = [p for p in partners for _ in range(EMPLOYERS_PER_PARTNER_PREFECTURE)]
    prefectures += [p for p in network for _ in range(EMPLOYERS_PER_NETWORK_PREFECTURE)]
    prefectures += [p for p in OTHER_PREFECTURES for _ in range(EMPLOYERS_PER_OTHER_PREFECTURE)]
    sectors = [_leaning_sector(rng, p) for p in prefectures]
    for sector in reference.SECTORS:  # every sector needs employers, whatever the dice say
        if sector not in sectors:
            common = Counter(sectors).most_common(1)[0][0]
            sectors[rng.choice([i for i, s in enumerate(sectors) if s == common])] = sector
    names: set[str] = set()
    out = []
    for prefecture, sector in zip(prefectures, sectors, strict=True):
        while True:
            town = rng.choice(TOWNS[prefecture])
            name = rng.choice(EMPLOYER_PATTERNS[sector]).format(
                town=town, word=rng.choice(JP_WORDS), surname=rng.choice(JP_SURNAMES)
            )
            if name not in names:
                break
        names.add(name)
        out.append(
            OrgSpec(
                kind=OrgKind.employer, name=name, prefecture=prefecture, town=town, sector=sector
            )
        )
    return out


def _leaning_sector(rng: random.Random, prefecture: str) -> str:
    weights = {
        s: SECTOR_SHARES[s] * (2.5 if prefecture in SECTOR_LEANING[s] else 1.0)
        for s in reference.SECTORS
    }
    return str(_weighted(rng, weights))


# --- occupations -----------------------------------------------------------------------------
def sector_occupations() -> dict[str, dict[Occupation, float]]:
    """Per sector, the weighted ESCO occupations the demo draws titles and skills from."""
    by_label = {o.label: o for o in reference.esco_occupations()}
    out: dict[str, dict[Occupation, float]] = {}
    for sector in reference.SECTORS:
        chosen = {
            by_label[label]: float(w)
            for label, w in OCCUPATION_WEIGHTS[sector].items()
            if label in by_label and by_label[label].sector == sector
        }
        # Should the ESCO subset change, fall back to every occupation of the sector.
        out[sector] = chosen or {o: 1.0 for o in reference.esco_occupations() if o.sector == sector}
    return out


@cache
def _alternatives(occupation: Occupation) -> tuple[str, ...]:
    """A few alternative labels, leaving out near-copies of the label (ESCO lists misspellings)."""
    label = occupation.label.casefold()
    return tuple(
        a
        for a in occupation.alt_labels[:4]
        if SequenceMatcher(None, a.casefold(), label).ratio() < 0.85
    )


@cache
def _partners(state: str) -> frozenset[str]:
    return reference.partner_prefectures(state) if state else frozenset()


def _title(rng: random.Random, occupation: Occupation, alt_share: float) -> str:
    """The preferred label, or sometimes an alternative one that is not a misspelling of it."""
    alternatives = _alternatives(occupation)
    if alternatives and rng.random() < alt_share:
        return rng.choice(alternatives)
    return occupation.label


def _skills(rng: random.Random, occupation: Occupation, low: int, high: int) -> list[str]:
    """low..high essential skills of the occupation, fewer more often than many."""
    pool = list(occupation.essential_skills)
    wanted = round(rng.triangular(low - 0.49, high + 0.49, low))
    return rng.sample(pool, min(len(pool), wanted))


# --- candidates ------------------------------------------------------------------------------
def plan_seekers(
    rng: random.Random,
    n: int,
    institutes: list[OrgSpec],
    occupations: dict[str, dict[Occupation, float]],
    start: datetime,
    today: date,
) -> list[Seeker]:
    """n candidates, registered over the history window at a growing rate, oldest first."""
    end = datetime.combine(today, clock(), tzinfo=UTC) - timedelta(days=3)
    weights = {
        i: (1.5 if _partners(spec.state or "") else 1.0) for i, spec in enumerate(institutes)
    }
    registered = sorted(_growing_moment(rng, start, end) for _ in range(n))
    serials: Counter[int] = Counter()
    seekers = []
    for moment, sector in zip(registered, _quota(rng, n, SECTOR_SHARES), strict=True):
        index = int(_weighted(rng, weights))
        serials[index] += 1
        occupation = _weighted(rng, occupations[sector])
        record = _candidate(
            rng, institutes[index], sector, occupation, moment, today, serials[index]
        )
        seekers.append(
            Seeker(
                record=record,
                institute=index,
                registered=moment,
                occupation=occupation,
                free_from=moment,
            )
        )
    return seekers


def _candidate(
    rng: random.Random,
    institute: OrgSpec,
    sector: str,
    occupation: Occupation,
    registered: datetime,
    today: date,
    serial: int,
) -> Candidate:
    state = institute.state or ""
    age_days = int(rng.triangular(19 * 365.25 + 10, 40 * 365.25, 24 * 365.25))
    born = today - timedelta(days=age_days)
    experience = min(max(0.0, (age_days / 365.25) - 19), rng.triangular(0, 12, 1.5))
    experience = round(experience * 2) / 2
    level = _weighted(rng, LEVEL_WEIGHTS)
    jft = rng.random() < (0.45 if level in (None, "N5") else 0.2)
    title = _title(rng, occupation, 0.25)
    return Candidate(
        external_id=f"{(institute.town or 'IN')[:3].upper()}-{registered.year}-{serial:04d}",
        full_name=_person_name(rng, state, sector),
        date_of_birth=born,
        state=state,
        sector=sector,
        job_title=title,
        skills=_skills(rng, occupation, 3, 8),
        experience_years=experience,
        japanese_level=level,
        jft_basic_passed=jft,
        skill_test_passed=rng.random() < (0.92 if experience else 0.8),
        care_language_test_passed=sector == "care" and rng.random() < 0.85,
        summary=_summary(rng, title, sector, experience, institute, level),
        preferred_prefectures=_preferences(rng, state),
        available_from=(registered + timedelta(days=rng.randint(20, 150))).date(),
        consent_to_share=rng.random() < 0.95,
        created_at=registered,
    )


def _person_name(rng: random.Random, state: str, sector: str) -> str:
    male, female, family = NAMES[state]
    given = rng.choice(female if rng.random() < FEMALE_SHARE[sector] else male)
    return f"{given} {rng.choice(family)}"


def _summary(
    rng: random.Random,
    title: str,
    sector: str,
    experience: float,
    institute: OrgSpec,
    level: str | None,
) -> str:
    if experience >= 1:
        years = f"{experience:g} years" if experience != 1 else "One year"
        article = "an" if title[0].casefold() in "aeiou" else "a"
        first = f"{years} as {article} {title} in {institute.town}."
    else:
        first = (
            f"Recently completed {reference.SECTOR_INFO[sector]['label'].lower()} training "
            f"in {institute.town}."
        )
    second = rng.choice(SECTOR_NOTES[sector])
    if level in ("N5", "N4") and rng.random() < 0.3:
        second = f"Studying Japanese towards JLPT {'N4' if level == 'N5' else 'N3'}."
    return first if rng.random() < 0.5 else f"{first} {second}"


def _preferences(rng: random.Random, state: str) -> list[str]:
    """Some candidates name prefectures; partner-state candidates often name their partner."""
    if rng.random() > 0.55:
        return []
    chosen: list[str] = []
    partners = sorted(_partners(state))
    if partners and rng.random() < 0.7:
        chosen.append(rng.choice(partners))
    pool = sorted(set(TOWNS) - set(chosen))
    chosen += rng.sample(pool, rng.randint(0 if chosen else 1, 2))
    return chosen


# --- vacancies -------------------------------------------------------------------------------
def plan_jobs(
    rng: random.Random,
    n: int,
    employers: list[OrgSpec],
    occupations: dict[str, dict[Occupation, float]],
    start: datetime,
    today: date,
) -> list[Job]:
    """n vacancies posted over the history window at a growing rate, oldest first."""
    end = datetime.combine(today, clock(), tzinfo=UTC) - timedelta(days=5)
    posted = sorted(
        _growing_moment(rng, start + timedelta(days=10), end, VACANCY_GROWTH) for _ in range(n)
    )
    by_sector: dict[str, list[int]] = {}
    for i, spec in enumerate(employers):
        by_sector.setdefault(spec.sector or "", []).append(i)
    jobs = []
    for moment, sector in zip(posted, _quota(rng, n, SECTOR_SHARES), strict=True):
        employer = rng.choice(by_sector[sector])
        occupation = _weighted(rng, occupations[sector])
        intake = _add_months(moment.date(), rng.randint(3, 5))
        record = _vacancy(rng, employers[employer], occupation, moment, intake)
        jobs.append(
            Job(
                record=record,
                employer=employer,
                posted=moment,
                intake=intake,
                occupation=occupation,
                interval_days=rng.uniform(15, 45) / record.openings,
            )
        )
    return jobs


def _vacancy(
    rng: random.Random, employer: OrgSpec, occupation: Occupation, posted: datetime, intake: date
) -> Vacancy:
    sector = employer.sector or ""
    openings = int(_weighted(rng, OPENINGS_WEIGHTS))
    title = _title(rng, occupation, 0.15)
    skills = _skills(rng, occupation, 3, 6)
    low, high = WAGES[sector]
    level = "N3" if rng.random() < (0.25 if sector == "care" else 0.15) else "N4"
    return Vacancy(
        title=title,
        description=_description(rng, employer, title, openings),
        sector=sector,
        prefecture=employer.prefecture,
        openings=openings,
        required_skills=skills,
        min_japanese_level=level,
        requires_skill_test=rng.random() < 0.97,
        min_experience_years=float(rng.choice((0, 0, 0, 1, 1, 2, 3))),
        monthly_wage_jpy=rng.randint(low, high) * 1000,
        start_date=intake,
        status="open",
        created_at=posted,
    )


def _description(rng: random.Random, employer: OrgSpec, title: str, openings: int) -> str:
    """Who hires where, and the support offered (the skills are listed in their own field)."""
    people = f"{openings} {title}" + ("s" if openings > 1 and not title.endswith("s") else "")
    return (
        f"{employer.name} in {employer.town}, {employer.prefecture}, is hiring {people} "
        f"under the Specified Skilled Worker (i) programme. {rng.choice(SUPPORT_NOTES)}"
    )


# --- eligibility, reusing the matching engine's gates ---------------------------------------
def attach_eligibility(seekers: Sequence[Seeker], jobs: Sequence[Job]) -> None:
    """For each job, the seekers passing every SSW gate for its intake (sector included)."""
    features = [candidate_features(s.record, occ=-1, placed=False) for s in seekers]
    for sector in reference.SECTORS:
        rows = [i for i, s in enumerate(seekers) if s.record.sector == sector]
        if not rows:
            continue
        c: dict[str, np.ndarray] = {
            name: np.asarray([features[i][name] for i in rows], dtype=dtype)
            for name, dtype in CANDIDATE_COLUMNS.items()
        }
        for job in jobs:
            if job.record.sector != sector:
                continue
            as_planned = SimpleNamespace(
                **{**_vacancy_fields(job.record), "start_date": job.intake}
            )
            v = {
                name: np.asarray(value)
                for name, value in vacancy_features(as_planned, occ=-1).items()
                if not isinstance(value, tuple)
            }
            masks = gate_masks(c, v, job.intake)
            passing = np.logical_and.reduce(
                [np.broadcast_to(m, (len(rows),)) for m in masks.values()]
            )
            job.eligible = [rows[i] for i in np.flatnonzero(passing)]


def _vacancy_fields(v: Vacancy) -> dict[str, Any]:
    names = (
        "sector",
        "start_date",
        "min_japanese_level",
        "requires_skill_test",
        "status",
        "placed_count",
        "openings",
        "prefecture",
        "isco_group",
        "min_experience_years",
        "required_skills",
    )
    return {name: getattr(v, name, None) for name in names} | {"placed_count": 0, "status": "open"}


# --- the pipeline simulation ----------------------------------------------------------------
def simulate(
    rng: random.Random, seekers: list[Seeker], jobs: list[Job], horizon: datetime
) -> list[Pipeline]:
    """Shortlists arrive per vacancy over time; each follows a sampled path up to the horizon.

    Arrivals are handled in time order so a person is in one pipeline at a time, and a path
    only reaches an offer while the vacancy has an uncommitted opening.
    """
    arrivals = [(job.posted + timedelta(days=rng.uniform(2, 10)), j) for j, job in enumerate(jobs)]
    heapq.heapify(arrivals)
    pipelines = []
    while arrivals:
        moment, j = heapq.heappop(arrivals)
        job = jobs[j]
        if moment >= horizon or job.committed >= job.record.openings:
            continue
        chosen = _choose(rng, seekers, job, moment)
        if chosen is not None:
            pipelines.append(_walk(rng, seekers, jobs, chosen, j, moment, horizon))
        gap = timedelta(days=rng.expovariate(1 / job.interval_days) + 1)
        heapq.heappush(arrivals, (moment + gap, j))
    return pipelines


def _choose(rng: random.Random, seekers: list[Seeker], job: Job, moment: datetime) -> int | None:
    free = [
        i
        for i in job.eligible
        if not seekers[i].placed
        and i not in job.tried
        and seekers[i].registered <= moment
        and seekers[i].free_from <= moment
    ]
    if not free:
        return None
    sample = rng.sample(free, min(len(free), 25))
    return max(sample, key=lambda i: _fit(seekers[i], job) + rng.random() * 2)


def _fit(seeker: Seeker, job: Job) -> float:
    """A rough employer's eye: same occupation, same ISCO group, wanted place, partnership."""
    prefecture = job.record.prefecture
    score = 3.0 if seeker.occupation.uri == job.occupation.uri else 0.0
    score += 1.5 if seeker.occupation.isco_group == job.occupation.isco_group else 0.0
    score += 1.0 if prefecture in (seeker.record.preferred_prefectures or []) else 0.0
    if prefecture in _partners(seeker.record.state):
        score += 1.0
    return score


def _walk(
    rng: random.Random,
    seekers: list[Seeker],
    jobs: list[Job],
    s: int,
    j: int,
    start: datetime,
    horizon: datetime,
) -> Pipeline:
    """Sample one candidate's path through one vacancy and book its consequences."""
    seeker, job = seekers[s], jobs[j]
    job.tried.add(s)
    steps = _path(rng, start, full=job.committed >= job.record.openings)
    steps = [step for step in steps if step.at < horizon]
    last = steps[-1].to if steps else Stage.shortlisted
    if last in (Stage.offered, Stage.visa_processing, Stage.placed):
        job.committed += 1
    if last == Stage.placed:
        seeker.placed = True
    if last in (Stage.rejected, Stage.withdrawn) and rng.random() < 0.8:
        seeker.free_from = steps[-1].at + timedelta(days=rng.randint(10, 60))
    else:
        seeker.free_from = datetime.max.replace(tzinfo=UTC)  # placed, in progress, or gone
    return Pipeline(seeker=s, job=j, shortlisted=start, steps=steps)


def _path(rng: random.Random, start: datetime, *, full: bool) -> list[Step]:
    """shortlisted → interviewing → offered → visa_processing → placed, or out on the way."""
    steps: list[Step] = []
    at = start
    plan = (
        (Stage.interviewing, (4, 21), 0.14, 0.08),
        (Stage.offered, (7, 28), 0.30, 0.07),
        (Stage.visa_processing, (5, 20), 0.0, 0.07),
        (Stage.placed, (45, 100), 0.05, 0.0),
    )
    current = Stage.shortlisted
    for to, (low, high), reject, withdraw in plan:
        at = at + timedelta(days=rng.uniform(low, high))
        roll = rng.random()
        if to == Stage.offered and full and roll >= reject + withdraw:
            steps.append(Step(Stage.rejected, at, reason=FULL))
            return steps
        if roll < reject:
            steps.append(Step(Stage.rejected, at, reason=rng.choice(REJECTIONS[current])))
            return steps
        if roll < reject + withdraw:
            steps.append(
                Step(Stage.withdrawn, at, by_institute=True, reason=rng.choice(WITHDRAWALS))
            )
            return steps
        steps.append(Step(to, at))
        current = to
    return steps


def _closures(
    rng: random.Random, jobs: list[Job], pipelines: list[Pipeline], today: date
) -> list[int]:
    """Vacancies to close: the filled ones, and some stale ones with nobody in progress."""
    placed = Counter(p.job for p in pipelines if p.steps and p.steps[-1].to == Stage.placed)
    busy = {
        p.job
        for p in pipelines
        if not p.steps or p.steps[-1].to not in (Stage.placed, Stage.rejected, Stage.withdrawn)
    }
    close = []
    for j, job in enumerate(jobs):
        filled = placed[j] >= job.record.openings
        stale = job.posted.date() < today - timedelta(days=200) and j not in busy
        if filled or (stale and rng.random() < 0.15):
            close.append(j)
    return close


def _set_start_dates(rng: random.Random, jobs: list[Job], closed: set[int], today: date) -> None:
    """Open vacancies take their next intake in the coming months; closed ones keep theirs."""
    for j, job in enumerate(jobs):
        if j not in closed and job.intake <= today + timedelta(days=14):
            job.record.start_date = _add_months(today, rng.randint(1, 5))


def make_plan(seed: int, candidates: int, vacancies: int, today: date) -> Plan:
    """Every organisation, person, vacancy and pipeline step, from the seed alone."""
    rng = random.Random(seed)
    start = datetime.combine(_add_months(today, -HISTORY_MONTHS), clock(), tzinfo=UTC)
    horizon = datetime.combine(today, clock(), tzinfo=UTC)
    occupations = sector_occupations()
    institutes = plan_institutes(rng)
    employers = plan_employers(rng)
    seekers = plan_seekers(
        rng, candidates, institutes, occupations, start - timedelta(days=60), today
    )
    jobs = plan_jobs(rng, vacancies, employers, occupations, start, today)
    attach_eligibility(seekers, jobs)
    pipelines = simulate(rng, seekers, jobs, horizon)
    to_close = _closures(rng, jobs, pipelines, today)
    _set_start_dates(rng, jobs, set(to_close), today)
    return Plan(institutes, employers, seekers, jobs, pipelines, to_close)


# --- embedding and writing -------------------------------------------------------------------
def embed_records(records: Sequence[Candidate | Vacancy], tools: Toolkit, label: str) -> None:
    """ESCO occupation and embedding for each record, in batches, with a progress bar."""
    # Similar lengths in a batch mean less padding, so less work for the model.
    records = sorted(records, key=lambda r: len(_text_of(r)))
    with tqdm(total=len(records), desc=f"embedding {label}", unit="rec") as bar:
        for begin in range(0, len(records), EMBED_BATCH):
            batch = records[begin : begin + EMBED_BATCH]
            refresh_derived_fields(batch, tools)
            bar.update(len(batch))


def _text_of(record: Candidate | Vacancy) -> str:
    return candidate_text(record) if isinstance(record, Candidate) else vacancy_text(record)


def write_organisations(
    session: Session, plan: Plan, backdate: datetime
) -> tuple[Organisation, list[Organisation], list[Organisation]]:
    def create(spec: OrgSpec) -> Organisation:
        body = OrganisationCreate(
            kind=spec.kind, name=spec.name, state=spec.state, prefecture=spec.prefecture
        )
        organisation, _ = organisation_service.create(session=session, organisation_in=body)
        organisation.created_at = backdate
        return organisation

    officer = create(OrgSpec(kind=OrgKind.officer, name=MARKER))
    institutes = [create(spec) for spec in plan.institutes]
    employers = [create(spec) for spec in plan.employers]
    audit.record(
        session=session,
        organisation_id=officer.id,
        action=SEED_ACTION,
        entity="organisation",
        entity_ids=[o.id for o in (*institutes, *employers)],
        detail="created by `talentbridge demo`",
    )
    return officer, institutes, employers


def write_records(
    session: Session, plan: Plan, institutes: list[Organisation], employers: list[Organisation]
) -> None:
    for seeker in plan.seekers:
        seeker.record.institute_id = institutes[seeker.institute].id
    for job in plan.jobs:
        job.record.employer_id = employers[job.employer].id
    session.add_all([s.record for s in plan.seekers])
    session.add_all([j.record for j in plan.jobs])
    session.flush()
    by_institute: dict[int, list[int]] = {}
    for seeker in plan.seekers:
        by_institute.setdefault(seeker.record.institute_id, []).append(seeker.record.id)
    for institute_id, ids in by_institute.items():
        audit.record(
            session=session,
            organisation_id=institute_id,
            action="bulk_upsert",
            entity="candidate",
            entity_ids=ids,
            detail="demo",
        )
    session.flush()
    # Keep the identity map small: placements.service synchronises its bulk UPDATEs by
    # evaluating them against every loaded object, which is O(rows in the session) per move.
    for record in (*[s.record for s in plan.seekers], *[j.record for j in plan.jobs]):
        session.expunge(record)


def replay_pipelines(
    session: Session, plan: Plan, institutes: list[Organisation], employers: list[Organisation]
) -> None:
    """Every shortlist and move through placements.service, in the order they happened."""
    events: list[tuple[datetime, int, int, Step | None]] = []
    for k, pipeline in enumerate(plan.pipelines):
        events.append((pipeline.shortlisted, k, -1, None))
        events += [(step.at, k, n, step) for n, step in enumerate(pipeline.steps)]
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    placement_ids: dict[int, int] = {}  # ids, not objects, so finished rows leave the session
    for at, k, _, step in tqdm(events, desc="replaying the pipeline", unit="step"):
        pipeline = plan.pipelines[k]
        seeker, job = plan.seekers[pipeline.seeker], plan.jobs[pipeline.job]
        if step is None:
            placement_ids[k] = placement_service.create(
                session=session,
                employer=employers[job.employer],
                vacancy_id=job.record.id,
                candidate_id=seeker.record.id,
                at=at,
            ).id
            continue
        actor = institutes[seeker.institute] if step.by_institute else employers[job.employer]
        placement = placement_service.get(
            session=session, placement_id=placement_ids[k], organisation=actor
        )
        placement_service.move(
            session=session,
            placement=placement,
            to=step.to,
            organisation=actor,
            reason=step.reason,
            at=at,
        )


def close_vacancies(session: Session, plan: Plan, tools: Toolkit) -> None:
    for j in plan.to_close:
        vacancy = vacancy_service.get(session=session, vacancy_id=plan.jobs[j].record.id)
        vacancy_service.update_one(
            session=session, vacancy=vacancy, vacancy_in=VacancyUpdate(status="closed"), tools=tools
        )


# --- finding the demo again, keys and counts --------------------------------------------------
def find_marker(session: Session) -> Organisation | None:
    return session.scalar(
        select(Organisation)
        .where(Organisation.kind == OrgKind.officer, Organisation.name == MARKER)
        .order_by(Organisation.id)
        .limit(1)
    )


def demo_organisation_ids(session: Session, officer: Organisation) -> list[int]:
    return list(
        session.scalars(
            select(AuditEntry.entity_id).where(
                AuditEntry.action == SEED_ACTION,
                AuditEntry.organisation_id == officer.id,
                AuditEntry.entity == "organisation",
            )
        )
    )


def pick_examples(
    session: Session, demo_ids: Iterable[int]
) -> tuple[Organisation, Organisation, Vacancy | None]:
    """The demo institute with most candidates; an employer with a roomy open vacancy."""
    ids = list(demo_ids)
    institute = session.scalars(
        select(Organisation)
        .outerjoin(Candidate, Candidate.institute_id == Organisation.id)
        .where(Organisation.id.in_(ids), Organisation.kind == OrgKind.institute)
        .group_by(Organisation.id)
        .order_by(func.count(Candidate.id).desc(), Organisation.id)
    ).first()
    partners = sorted({p for _, p in reference.partnerships()})
    vacancy = session.scalars(
        select(Vacancy)
        .where(
            Vacancy.employer_id.in_(ids),
            Vacancy.status == "open",
            Vacancy.placed_count < Vacancy.openings,
        )
        .order_by(
            Vacancy.prefecture.in_(partners).desc(),
            (Vacancy.openings - Vacancy.placed_count).desc(),
            Vacancy.id,
        )
    ).first()
    if vacancy is not None:
        employer = session.get(Organisation, vacancy.employer_id)
    else:
        employer = session.scalars(
            select(Organisation)
            .where(Organisation.id.in_(ids), Organisation.kind == OrgKind.employer)
            .order_by(Organisation.id)
        ).first()
    if institute is None or employer is None:
        raise RuntimeError("the demo organisations are missing; recreate the database")
    return institute, employer, vacancy


def fresh_key(session: Session, organisation: Organisation) -> str:
    """Revoke the organisation's earlier keys and issue one new key."""
    organisation_service.revoke_keys(session=session, organisation_id=organisation.id)
    return organisation_service.issue_key(session=session, organisation=organisation)


def counts(session: Session) -> dict[str, Any]:
    kinds = dict(
        session.execute(select(Organisation.kind, func.count()).group_by(Organisation.kind)).all()
    )
    stages = dict(
        session.execute(select(Placement.status, func.count()).group_by(Placement.status)).all()
    )
    return {
        "institutes": int(kinds.get(OrgKind.institute, 0)),
        "employers": int(kinds.get(OrgKind.employer, 0)),
        "candidates": session.scalar(select(func.count()).select_from(Candidate)) or 0,
        "vacancies": session.scalar(select(func.count()).select_from(Vacancy)) or 0,
        "open_vacancies": session.scalar(
            select(func.count()).select_from(Vacancy).where(Vacancy.status == "open")
        )
        or 0,
        "placements": sum(stages.values()),
        "placed": int(stages.get(Stage.placed, 0)),
        "stages": {str(k): int(v) for k, v in stages.items()},
    }


# --- the command -----------------------------------------------------------------------------
def run_demo(
    settings: Settings,
    *,
    seed: int = 2025,
    candidates: int = 5000,
    vacancies: int = 400,
    today: date | None = None,
    tools: Toolkit | None = None,
    base_url: str = BASE_URL,
    serving: bool = False,
) -> DemoSummary:
    """Fill the database with a believable programme once; print fresh keys every time, with
    links at base_url (serving: the caller starts the server next, as scripts/run does)."""
    started = time.monotonic()
    today = today or date.today()
    engine = make_engine(settings.database_url)
    try:
        with session_scope(engine) as session:
            exists = find_marker(session) is not None
        if not exists:
            print(f"planning {candidates} candidates and {vacancies} vacancies (seed {seed})…")
            plan = make_plan(seed, candidates, vacancies, today)
            if tools is None:
                from talentbridge.app import build_tools  # loads the model: only when needed

                tools = build_tools(settings)
            embed_records([s.record for s in plan.seekers], tools, "candidates")
            embed_records([j.record for j in plan.jobs], tools, "vacancies")
            backdate = datetime.combine(
                _add_months(today, -HISTORY_MONTHS - 3), clock(), tzinfo=UTC
            )
            with session_scope(engine) as session:
                _officer, institutes, employers = write_organisations(session, plan, backdate)
                write_records(session, plan, institutes, employers)
                replay_pipelines(session, plan, institutes, employers)
                close_vacancies(session, plan, tools)
        else:
            print(f"the demo data is already here ({MARKER!r} exists): nothing recreated")
        summary = _issue_keys_and_count(engine, created=not exists, seed=seed)
    finally:
        engine.dispose()
    summary.seconds = round(time.monotonic() - started, 1)
    print_summary(summary, base_url=base_url, serving=serving)
    return summary


def _issue_keys_and_count(engine: Any, *, created: bool, seed: int) -> DemoSummary:
    with session_scope(engine) as session:
        officer = find_marker(session)
        assert officer is not None
        institute, employer, vacancy = pick_examples(
            session, demo_organisation_ids(session, officer)
        )
        keys = [fresh_key(session, org) for org in (officer, institute, employer)]
        return DemoSummary(
            created=created,
            seed=seed,
            **counts(session),
            officer_key=keys[0],
            institute_key=keys[1],
            employer_key=keys[2],
            institute_name=institute.name,
            employer_name=employer.name,
            vacancy_id=vacancy.id if vacancy else None,
        )


def print_summary(summary: DemoSummary, *, base_url: str = BASE_URL, serving: bool = False) -> None:
    stages = ", ".join(f"{k} {v}" for k, v in sorted(summary.stages.items()))
    base_url = base_url.rstrip("/")
    port = urlsplit(base_url).port or 8000
    start = (
        "The server is starting now; once it says it is running, open:"
        if serving
        else f"Start the server with `talentbridge serve --port {port}`, then open:"
    )
    match = (
        f"{base_url}/api/v1/vacancies/{summary.vacancy_id}/matches"
        if summary.vacancy_id
        else "(no open vacancy)"
    )
    print(f"""
TalentBridge demo {"created" if summary.created else "already present"} in {summary.seconds} s
  {summary.institutes} institutes, {summary.employers} employers, {summary.candidates} candidates,
  {summary.vacancies} vacancies ({summary.open_vacancies} open), {summary.placements} placements
  ({summary.placed} placed; {stages})

Keys (shown once; earlier demo keys of these three organisations are now revoked):
  programme officer  {summary.officer_key}
  institute          {summary.institute_key}   ({summary.institute_name})
  employer           {summary.employer_key}   ({summary.employer_name})

{start}
  {base_url}/dashboard   sign in with any key above (the officer's shows the whole programme)
  {base_url}/docs        press Authorize and paste any key above
  Matches for one of the employer's vacancies (employer key, Authorization: Bearer <key>):
  {match}
""")
